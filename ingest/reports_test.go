package ingest

import (
	"errors"
	"testing"

	"github.com/sentrazone/sentrazone/domain"
)

func TestAuthorizeAgentTokens(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	_, token, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "paris", Endpoint: "paris.example.com:51820"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "rome", Endpoint: "rome.example.com:51820"}); err != nil {
		t.Fatal(err)
	}
	paris := []domain.ServerReported{{ServerID: "paris"}}
	rome := []domain.ServerReported{{ServerID: "rome"}}
	agent, err := h.reports.Authenticate(ctx, token)
	if err != nil || agent != (Agent{Server: "paris"}) {
		t.Fatalf("own token: %+v, %v", agent, err)
	}
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", paris); err != nil {
		t.Fatalf("own server: %v", err)
	}
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", rome); !errors.Is(err, ErrForbidden) {
		t.Fatalf("token of paris for rome: %v, want ErrForbidden", err)
	}
	mixed := append(paris, rome...)
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", mixed); !errors.Is(err, ErrForbidden) {
		t.Fatalf("batch naming another server: %v, want ErrForbidden", err)
	}
	// The zero Agent (no token authenticated) may report for no server.
	if err := h.reports.Authorize(ctx, Agent{}, "198.51.100.7", paris); !errors.Is(err, ErrForbidden) {
		t.Fatalf("zero agent: %v, want ErrForbidden", err)
	}
	for _, bad := range []string{"", "random", token + "x", "szagent.paris.AAAA", "szagent.nowhere.AAAA", "szagent..x", "szagent.\xff.x"} {
		if a, err := h.reports.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthenticated) || a != (Agent{}) {
			t.Errorf("token %q: %+v, %v, want ErrUnauthenticated", bad, a, err)
		}
	}
	if a, err := h.reports.Authenticate(ctx, testFleetToken); err != nil || !a.Fleet {
		t.Errorf("fleet token: %+v, %v", a, err)
	}
}

func TestFleetTokenRegistersUnknownServers(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	reps := []domain.ServerReported{
		{ServerID: "oslo", Interface: &domain.InterfaceInfo{ListenPort: 51999}},
		{ServerID: "oslo"},
		{ServerID: "bergen"},
	}
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.9", reps); err != nil {
		t.Fatal(err)
	}
	for id, endpoint := range map[string]string{"oslo": "198.51.100.9:51999", "bergen": "198.51.100.9:51820"} {
		v, ok, err := h.state.ServerView(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s not registered: %v", id, err)
		}
		if v.Endpoint != endpoint {
			t.Errorf("%s endpoint %q, want %q", id, v.Endpoint, endpoint)
		}
	}
	// Again: nothing new is registered, and no error.
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.10", reps); err != nil {
		t.Fatal(err)
	}
	rows, err := h.state.Audit(ctx, projectionsFilter("server_registered"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d server_registered rows, want 2", len(rows))
	}
	if err := h.reports.Submit(ctx, reps); err != nil {
		t.Fatal(err)
	}
}
