package api

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
)

// Agent tokens for the agent config tests: per-server tokens in the
// "szagent.<server id>.<secret>" form, and a fleet token.
const (
	laAgentToken    = "szagent.la.secret-of-la"
	nyAgentToken    = "szagent.ny.secret-of-ny"
	fleetAgentToken = "fleet-secret-token"
)

// agentConfigCall is one AgentConfig call the handler made.
type agentConfigCall struct {
	serverID string
	after    int64
	wait     time.Duration
}

// recordingAgentCommands records AgentConfig calls and answers like
// fakeCommands does.
type recordingAgentCommands struct {
	*fakeCommands

	mu    sync.Mutex
	calls []agentConfigCall
}

func (r *recordingAgentCommands) AgentConfig(ctx context.Context, serverID string, after int64, wait time.Duration) (domain.AgentConfig, error) {
	r.mu.Lock()
	r.calls = append(r.calls, agentConfigCall{serverID: serverID, after: after, wait: wait})
	r.mu.Unlock()
	return r.fakeCommands.AgentConfig(ctx, serverID, after, wait)
}

// takeCalls returns the calls so far and forgets them.
func (r *recordingAgentCommands) takeCalls() []agentConfigCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// newAgentConfigEnv is an app whose Reports know la's and ny's per-server
// tokens and the fleet token, like ingest.Reports: a per-server token is
// valid for its own server only (else ErrForbidden), anything else is
// ErrUnauthenticated.
func newAgentConfigEnv(t *testing.T) (*env, *recordingAgentCommands) {
	t.Helper()
	var rec *recordingAgentCommands
	e := newEnv(t, func(c *Config) {
		rec = &recordingAgentCommands{fakeCommands: c.Commands.(*fakeCommands)}
		c.Commands = rec
	})
	e.reports.agents = map[string]ingest.Agent{
		fleetAgentToken: {Fleet: true},
		laAgentToken:    {Server: "la"},
		nyAgentToken:    {Server: "ny"},
	}
	return e, rec
}

// agentGet asks for the config with query q and, unless token is "", the
// bearer token.
func (e *env) agentGet(t *testing.T, token, q string) resp {
	t.Helper()
	path := "/api/agent/config"
	if q != "" {
		path += "?" + q
	}
	if token == "" {
		return e.do(t, "GET", path, "")
	}
	return e.do(t, "GET", path, "", "Authorization", "Bearer "+token)
}

func TestAgentConfigNeedsAnAgentToken(t *testing.T) {
	e, rec := newAgentConfigEnv(t)
	r := e.agentGet(t, "", "server_id=la").want(t, 401, CodeUnauthorized)
	if h := r.header.Get("WWW-Authenticate"); h != "Bearer" {
		t.Errorf("WWW-Authenticate %q, want Bearer", h)
	}
	e.do(t, "GET", "/api/agent/config?server_id=la", "", "Authorization", "Bearer ").want(t, 401, CodeUnauthorized)
	e.do(t, "GET", "/api/agent/config?server_id=la", "", "Authorization", "Basic "+laAgentToken).want(t, 401, CodeUnauthorized)
	e.agentGet(t, "szagent.la.wrong-secret", "").want(t, 401, CodeUnauthorized)
	e.agentGet(t, "not-a-token", "server_id=la").want(t, 401, CodeUnauthorized)

	// A valid user token is not an agent token, whatever its role.
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleUser} {
		e.agentGet(t, e.token(role), "server_id=la&version=0").want(t, 401, CodeUnauthorized)
		// Without server_id too: the token is checked before the query.
		e.agentGet(t, e.token(role), "").want(t, 401, CodeUnauthorized)
	}
	if calls := rec.takeCalls(); len(calls) != 0 {
		t.Fatalf("the desired config was read for unauthenticated requests: %+v", calls)
	}
	if strings.Contains(e.logs.String(), "secret-of-la") {
		t.Error("an agent token was logged")
	}
}

func TestAgentConfigRejectsBadParameters(t *testing.T) {
	e, rec := newAgentConfigEnv(t)
	cases := []struct {
		query string
		names string // what the message must name
	}{
		{"version=-1", "version"},
		{"version=abc", "version"},
		{"version=1.5", "version"},
		{"version=9223372036854775808", "version"},
		{"version=0&wait=abc", "wait"},
		{"version=0&wait=-1s", "wait"},
		{"version=0&wait=5", "wait"},
		{"server_id=LA", "server_id"},
		{"server_id=-la", "server_id"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := e.agentGet(t, laAgentToken, c.query).want(t, 400, CodeBadRequest)
			if m := r.message(t); !strings.Contains(m, "query parameter "+c.names) {
				t.Errorf("message %q does not name %s", m, c.names)
			}
		})
	}
	// A fleet token names no server, so server_id is required.
	r := e.agentGet(t, fleetAgentToken, "version=0").want(t, 400, CodeBadRequest)
	if m := r.message(t); !strings.Contains(m, "server_id is required") {
		t.Errorf("message %q", m)
	}
	if calls := rec.takeCalls(); len(calls) != 0 {
		t.Fatalf("the desired config was read for bad requests: %+v", calls)
	}
}

func TestAgentConfigServesItsServer(t *testing.T) {
	e, rec := newAgentConfigEnv(t)
	cases := []struct {
		token, query string
		want         agentConfigCall
	}{
		// The per-server token names its server; no version means "any".
		{laAgentToken, "", agentConfigCall{"la", -1, maxAgentWait}},
		{laAgentToken, "version=7", agentConfigCall{"la", 7, maxAgentWait}},
		{laAgentToken, "server_id=la&version=0&wait=2s", agentConfigCall{"la", 0, 2 * time.Second}},
		{laAgentToken, "version=3&wait=0s", agentConfigCall{"la", 3, 0}},
		{laAgentToken, "version=3&wait=1h", agentConfigCall{"la", 3, maxAgentWait}},
		{fleetAgentToken, "server_id=ny&version=4", agentConfigCall{"ny", 4, maxAgentWait}},
	}
	for _, c := range cases {
		t.Run(c.want.serverID+"?"+c.query, func(t *testing.T) {
			r := e.agentGet(t, c.token, c.query).want(t, 200)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var cfg domain.AgentConfig
			r.decode(t, &cfg)
			if cfg.ServerID != c.want.serverID || cfg.Version != c.want.after+1 || cfg.Peers == nil {
				t.Errorf("config %+v, want server %s version %d", cfg, c.want.serverID, c.want.after+1)
			}
			if calls := rec.takeCalls(); len(calls) != 1 || calls[0] != c.want {
				t.Errorf("AgentConfig calls %+v, want [%+v]", calls, c.want)
			}
		})
	}
}

func TestAgentConfigForbidsAnotherServersToken(t *testing.T) {
	e, rec := newAgentConfigEnv(t)
	for _, q := range []string{"server_id=ny", "server_id=ny&version=0&wait=1s", "server_id=paris"} {
		e.agentGet(t, laAgentToken, q).want(t, 403, CodeForbidden)
	}
	e.agentGet(t, nyAgentToken, "server_id=la").want(t, 403, CodeForbidden)
	if calls := rec.takeCalls(); len(calls) != 0 {
		t.Fatalf("another server's config was read: %+v", calls)
	}
	// Its own server still works.
	e.agentGet(t, nyAgentToken, "server_id=ny").want(t, 200)
}
