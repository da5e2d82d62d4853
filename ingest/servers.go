package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
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
	if _, err := s.register(ctx, a, cmd); err != nil {
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

// register appends server_registered unless the server exists, and says
// whether it appended one. A server registered meanwhile by someone else
// is a conflict, unless cmd carries no token (an implicit registration by
// a fleet token), which is then done.
func (s *Service) register(ctx context.Context, a Actor, cmd domain.RegisterServer) (bool, error) {
	// The id reaches the read model's query before the decision: check it
	// first, so no store ever sees a malformed one.
	if err := domain.ValidateServerID(cmd.ID); err != nil {
		return false, err
	}
	unlock := s.locks.Lock("server/" + cmd.ID)
	defer unlock()
	for attempt := range maxAttempts {
		existing, err := s.cfg.State.Server(ctx, cmd.ID)
		if err != nil {
			return false, fmt.Errorf("register server: %w", err)
		}
		if existing != nil && cmd.AgentTokenHash == nil {
			return false, nil
		}
		ev, err := domain.DecideRegisterServer(existing, cmd)
		if err != nil {
			return false, s.reject(ctx, a, "register_server", cmd.ID, err)
		}
		if err := s.record(ctx, ev, cmd.ID, 0, a); err != nil {
			return false, fmt.Errorf("register server: %w", err)
		}
		if cmd.AgentTokenHash == nil {
			// Applied, or stale because the server was registered first
			// (servers are never removed): either way it is registered,
			// and an implicit registration needs no second read.
			return true, nil
		}
		now, err := s.cfg.State.Server(ctx, cmd.ID)
		if err != nil {
			return false, fmt.Errorf("register server: %w", err)
		}
		if now != nil && bytes.Equal(now.AgentTokenHash, cmd.AgentTokenHash) {
			return true, nil
		}
		if err := pause(ctx, attempt); err != nil {
			return false, err
		}
	}
	return false, errBusy("server " + cmd.ID)
}
