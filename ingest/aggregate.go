package ingest

import (
	"context"
	"fmt"

	"github.com/sentrazone/sentrazone/domain"
)

// decideFunc returns the event for a server, whether it changes anything,
// or the domain's refusal.
type decideFunc func(srv *domain.Server) (domain.Payload, bool, error)

// onServer runs a command on a server aggregate: load the freshest state,
// decide, append with the version seen, wait until applied, and check done
// on the new state. A stale version (another replica won) means: decide
// again. Refusals are recorded as command_rejected.
func (s *Service) onServer(ctx context.Context, a Actor, serverID, command, target string,
	decide decideFunc, done func(*domain.Server) bool) (*domain.Server, error) {
	unlock := s.locks.Lock("server/" + serverID)
	defer unlock()
	for attempt := range maxAttempts {
		srv, err := s.server(ctx, serverID)
		if err != nil {
			return nil, err
		}
		ev, changed, err := decide(srv)
		if err != nil {
			return nil, s.reject(ctx, a, command, target, err)
		}
		if !changed {
			return srv, nil
		}
		if err := s.record(ctx, ev, serverID, srv.Version, a); err != nil {
			return nil, fmt.Errorf("%s: %w", command, err)
		}
		after, err := s.server(ctx, serverID)
		if err != nil {
			return nil, err
		}
		if done(after) {
			return after, nil
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
	return nil, errBusy("server " + serverID)
}

// server loads a server aggregate; NotFound when it is not registered.
func (s *Service) server(ctx context.Context, id string) (*domain.Server, error) {
	srv, err := s.cfg.State.Server(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load server %s: %w", id, err)
	}
	if srv == nil {
		return nil, &domain.Error{Kind: domain.KindNotFound, Message: fmt.Sprintf("server %q is not registered", id)}
	}
	return srv, nil
}
