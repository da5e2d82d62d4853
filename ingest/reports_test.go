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
	if err := h.reports.Authorize(ctx, token, "198.51.100.7", paris); err != nil {
		t.Fatalf("own token: %v", err)
	}
	if err := h.reports.Authorize(ctx, token, "198.51.100.7", rome); !errors.Is(err, ErrForbidden) {
		t.Fatalf("token of paris for rome: %v, want ErrForbidden", err)
	}
	mixed := append(paris, rome...)
	if err := h.reports.Authorize(ctx, token, "198.51.100.7", mixed); !errors.Is(err, ErrForbidden) {
		t.Fatalf("batch naming another server: %v, want ErrForbidden", err)
	}
	for _, bad := range []string{"", "random", token + "x", "szagent.paris.AAAA", "szagent.nowhere.AAAA", "szagent..x", "szagent.\xff.x"} {
		if err := h.reports.Authorize(ctx, bad, "198.51.100.7", paris); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("token %q: %v, want ErrUnauthenticated", bad, err)
		}
		// Without reports the token alone is checked.
		if err := h.reports.Authorize(ctx, bad, "198.51.100.7", nil); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("token %q alone: %v, want ErrUnauthenticated", bad, err)
		}
	}
	for _, good := range []string{token, testFleetToken} {
		if err := h.reports.Authorize(ctx, good, "198.51.100.7", nil); err != nil {
			t.Errorf("a valid token alone: %v", err)
		}
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
	if err := h.reports.Authorize(ctx, testFleetToken, "198.51.100.9", reps); err != nil {
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
	if err := h.reports.Authorize(ctx, testFleetToken, "198.51.100.10", reps); err != nil {
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
