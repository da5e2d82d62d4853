package ingest

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func projectionsFilter(action string) projections.AuditFilter {
	return projections.AuditFilter{Action: action}
}

func TestConcurrentPeerCreationsGetDistinctAddresses(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	if _, _, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "tokyo", Endpoint: "tokyo.example.com:51820", Subnet: "10.9.0.0/27"}); err != nil {
		t.Fatal(err)
	}
	const n = 29 // a /27 has 29 client addresses (.2 .. .30)
	addrs := make([]string, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n + 1 {
		wg.Go(func() {
			p, err := h.svc.CreatePeer(ctx, admin, "tokyo", fmt.Sprintf("p%02d", i))
			addrs[i], errs[i] = p.Peer.Address.String(), err
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	full := 0
	for i, err := range errs {
		if domain.IsKind(err, domain.KindFull) {
			full++
			continue
		}
		if err != nil {
			t.Fatalf("p%02d: %v", i, err)
		}
		if seen[addrs[i]] {
			t.Fatalf("address %s handed out twice", addrs[i])
		}
		seen[addrs[i]] = true
	}
	if full != 1 || len(seen) != n {
		t.Fatalf("%d peers created, %d refused as full; want %d and 1", len(seen), full, n)
	}
	rej, err := h.state.Audit(ctx, projectionsFilter("command_rejected"), 10, 0)
	if err != nil || len(rej) != 1 || rej[0].Target == "" {
		t.Fatalf("rejections in the audit log: %+v, %v", rej, err)
	}
	// Every data key but the refused peer's is kept.
	entries, err := os.ReadDir(h.keysDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d data keys stored, want %d (the refused peer's key must be destroyed)", len(entries), n)
	}
}

func TestUsersAndLogin(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	u, err := h.svc.CreateUser(ctx, admin, "Ops@Example.com", "ops-password", domain.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if u.User.Email != "ops@example.com" {
		t.Fatalf("email %q, want it lowercased", u.User.Email)
	}
	if _, err := h.svc.CreateUser(ctx, admin, "ops@example.com", "other-password", domain.RoleUser); !domain.IsKind(err, domain.KindConflict) {
		t.Fatalf("duplicate user: %v, want a conflict", err)
	}
	if _, err := h.svc.CreateUser(ctx, admin, "x@example.com", "short", domain.RoleUser); !domain.IsKind(err, domain.KindInvalid) {
		t.Fatalf("short password: %v, want invalid", err)
	}
	got, err := h.svc.Login(ctx, "192.0.2.5", "OPS@example.com", "ops-password")
	if err != nil || got.UserID != u.User.UserID {
		t.Fatalf("login: %v, %v", got, err)
	}
	for _, tc := range [][2]string{{"ops@example.com", "wrong-password"}, {"nobody@example.com", "ops-password"}, {"not an email", "x"}} {
		if _, err := h.svc.Login(ctx, "192.0.2.5", tc[0], tc[1]); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("login %q: %v, want ErrBadCredentials", tc[0], err)
		}
	}
	failed, err := h.state.Audit(ctx, projectionsFilter("login_failed"), 10, 0)
	if err != nil || len(failed) != 3 {
		t.Fatalf("login_failed rows: %d, %v", len(failed), err)
	}
}

func TestAgentConfigLongPoll(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	if _, _, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "lima", Endpoint: "lima.example.com:51820"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := h.svc.AgentConfig(ctx, "lima", -1, time.Minute)
	if err != nil || cfg.Version != 1 || len(cfg.Peers) != 0 || cfg.Address != "10.8.0.1/24" {
		t.Fatalf("first config %+v, %v", cfg, err)
	}
	start := time.Now()
	if cfg, err = h.svc.AgentConfig(ctx, "lima", 1, 300*time.Millisecond); err != nil || cfg.Version != 1 {
		t.Fatalf("unchanged config %+v, %v", cfg, err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("long poll answered after %v without a change", d)
	}

	type result struct {
		cfg domain.AgentConfig
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := h.svc.AgentConfig(ctx, "lima", 1, 20*time.Second)
		done <- result{c, err}
	}()
	p, err := h.svc.CreatePeer(ctx, admin, "lima", "phone")
	if err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not wake on the new peer")
	}
	_, psk, err := h.svc.PeerSecrets(ctx, "lima", p.Peer.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.AgentPeer{PublicKey: p.Peer.PublicKey, PresharedKey: psk, AllowedIPs: []string{"10.8.0.2/32"}}
	if r.err != nil || r.cfg.Version != 2 || len(r.cfg.Peers) != 1 || fmt.Sprint(r.cfg.Peers[0]) != fmt.Sprint(want) {
		t.Fatalf("config after create %+v, %v; want peer %+v", r.cfg, r.err, want)
	}
	if _, err := h.svc.SetPeerEnabled(ctx, admin, "lima", p.Peer.ClientID, false); err != nil {
		t.Fatal(err)
	}
	if cfg, err = h.svc.AgentConfig(ctx, "lima", 2, time.Second); err != nil || len(cfg.Peers) != 0 {
		t.Fatalf("config after disable %+v, %v: a disabled peer must not be served", cfg, err)
	}
	if _, err := h.svc.AgentConfig(ctx, "nowhere", 0, time.Second); !domain.IsKind(err, domain.KindNotFound) {
		t.Fatalf("unknown server: %v", err)
	}
}
