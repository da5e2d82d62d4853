package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// NewServer is an admin's request to register a server.
type NewServer struct {
	ID       string
	Name     string
	Endpoint string
	Subnet   string
	DNS      string
}

// agentTokenPrefix marks per-server agent tokens so they are easy to spot
// (and to scan for in leaked text).
const agentTokenPrefix = "szagent."

// newAgentToken makes "szagent.<server id>.<secret>": the server id tells
// which stored hash to check, the secret is 256 random bits.
func newAgentToken(serverID string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return agentTokenPrefix + serverID + "." + base64.RawURLEncoding.EncodeToString(b)
}

// tokenServer returns the server id a per-server token claims.
func tokenServer(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, agentTokenPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, ".")
	return id, ok && secret != "" && domain.ValidateServerID(id) == nil
}

// RegisterServer registers a server with a new per-server agent token,
// returned once; only its hash is kept.
func (s *Service) RegisterServer(ctx context.Context, a Actor, ns NewServer) (projections.ServerView, string, error) {
	token := newAgentToken(ns.ID)
	cmd := domain.RegisterServer{ID: ns.ID, Name: ns.Name, Endpoint: ns.Endpoint, Subnet: ns.Subnet,
		DNS: ns.DNS, AgentTokenHash: domain.HashAgentToken(token)}
	if err := s.register(ctx, a, cmd); err != nil {
		return projections.ServerView{}, "", err
	}
	v, ok, err := s.cfg.State.ServerView(ctx, ns.ID)
	if err != nil {
		return projections.ServerView{}, "", fmt.Errorf("register server: %w", err)
	}
	if !ok {
		return projections.ServerView{}, "", fmt.Errorf("register server %s: not visible after apply", ns.ID)
	}
	return v, token, nil
}

// registerImplicitly registers those servers of cmds that are not
// registered yet, for a fleet token, and returns their registrations.
// Under the servers' locks (taken in id order, so that batches sharing
// servers cannot deadlock) one read finds those registered already; the
// others are decided as new, appended in one write and waited for
// together. A server registered meanwhile by another replica makes its
// event stale, which changes nothing: it is registered either way.
func (s *Service) registerImplicitly(ctx context.Context, remoteIP string, cmds []domain.RegisterServer) ([]domain.RegisterServer, error) {
	ids := make([]string, len(cmds))
	for i, cmd := range cmds {
		if cmd.AgentTokenHash != nil {
			return nil, fmt.Errorf("register server %s: an implicit registration carries no token", cmd.ID)
		}
		if err := domain.ValidateServerID(cmd.ID); err != nil {
			return nil, err
		}
		ids[i] = cmd.ID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		defer s.locks.Lock("server/" + id)()
	}
	registered, err := s.cfg.State.RegisteredServers(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("register servers: %w", err)
	}
	envs, added, err := s.newRegistrations(remoteIP, cmds, registered)
	if err != nil || len(envs) == 0 {
		return nil, err
	}
	pos, err := s.appendEvents(ctx, envs)
	if err != nil {
		return nil, fmt.Errorf("register %d servers: %w", len(envs), err)
	}
	if err := s.waitAll(ctx, pos); err != nil {
		return nil, fmt.Errorf("register %d servers: %w", len(envs), err)
	}
	return added, nil
}

// newRegistrations decides the registrations of cmds whose servers are not
// among registered, once per server, and returns their events, each by
// the server's agent from remoteIP, with the commands they came from.
func (s *Service) newRegistrations(remoteIP string, cmds []domain.RegisterServer, registered []string) ([]domain.Envelope, []domain.RegisterServer, error) {
	had := make(map[string]bool, len(registered)+len(cmds))
	for _, id := range registered {
		had[id] = true
	}
	var (
		envs  []domain.Envelope
		added []domain.RegisterServer
	)
	for _, cmd := range cmds {
		if had[cmd.ID] {
			continue
		}
		had[cmd.ID] = true
		ev, err := domain.DecideRegisterServer(nil, cmd)
		if err != nil {
			return nil, nil, fmt.Errorf("register server %s: %w", cmd.ID, err)
		}
		env, err := domain.NewEvent(ev, cmd.ID, 0, domain.AgentActor(cmd.ID), remoteIP, s.cfg.Now())
		if err != nil {
			return nil, nil, fmt.Errorf("register server %s: %w", cmd.ID, err)
		}
		envs, added = append(envs, env), append(added, cmd)
	}
	return envs, added, nil
}

// register appends server_registered unless the server exists. A server
// registered meanwhile by someone else is a conflict.
func (s *Service) register(ctx context.Context, a Actor, cmd domain.RegisterServer) error {
	// The id reaches the read model's query before the decision: check it
	// first, so no store ever sees a malformed one.
	if err := domain.ValidateServerID(cmd.ID); err != nil {
		return err
	}
	unlock := s.locks.Lock("server/" + cmd.ID)
	defer unlock()
	for attempt := range maxAttempts {
		existing, err := s.cfg.State.Server(ctx, cmd.ID)
		if err != nil {
			return fmt.Errorf("register server: %w", err)
		}
		ev, err := domain.DecideRegisterServer(existing, cmd)
		if err != nil {
			return s.reject(ctx, a, "register_server", cmd.ID, err)
		}
		if err := s.record(ctx, ev, cmd.ID, 0, a); err != nil {
			return fmt.Errorf("register server: %w", err)
		}
		now, err := s.cfg.State.Server(ctx, cmd.ID)
		if err != nil {
			return fmt.Errorf("register server: %w", err)
		}
		if now != nil && bytes.Equal(now.AgentTokenHash, cmd.AgentTokenHash) {
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errBusy("server " + cmd.ID)
}
