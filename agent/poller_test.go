package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// configSource is a fake /api/agent/config that answers at once.
type configSource struct {
	mu       sync.Mutex
	status   int
	cfg      domain.AgentConfig
	versions []string // the version parameter of every request
}

func (c *configSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.versions = append(c.versions, r.URL.Query().Get("version"))
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if c.status != 0 {
		w.WriteHeader(c.status)
		return
	}
	_ = json.NewEncoder(w).Encode(c.cfg)
}

func (c *configSource) set(status int, cfg domain.AgentConfig) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.cfg = status, cfg
}

func newTestPoller(t *testing.T, src *configSource, dev *fakeDevice, token string) *poller {
	t.Helper()
	srv := httptest.NewServer(src)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL + "/")
	return &poller{
		cp: &cpClient{base: u, token: token, http: srv.Client()}, serverID: "la",
		rec: newTestReconciler(t, dev, t.TempDir()), log: slog.New(slog.DiscardHandler),
		timeout: 5 * time.Second, minGap: time.Second, authWait: time.Minute,
		bo: newBackoff(time.Millisecond, 10*time.Millisecond),
	}
}

func agentConfig(version int64, peers ...byte) domain.AgentConfig {
	c := domain.AgentConfig{ServerID: "la", Version: version, Address: "10.8.0.1/24"}
	for _, b := range peers {
		c.Peers = append(c.Peers, domain.AgentPeer{PublicKey: testKey(b).String(), AllowedIPs: []string{"10.8.0.2/32"}})
	}
	return c
}

func TestPollerAppliesNewConfigsOnly(t *testing.T) {
	src := &configSource{cfg: agentConfig(3, 1)}
	dev := &fakeDevice{}
	p := newTestPoller(t, src, dev, "tok")
	ctx := context.Background()
	if wait := p.once(ctx); wait != 0 {
		t.Fatalf("wait after a new config = %v", wait)
	}
	if p.rec.applied.Load() != 3 || len(dev.peers()) != 1 || dev.configureCount() != 1 {
		t.Fatalf("applied %d, peers %d, configures %d", p.rec.applied.Load(), len(dev.peers()), dev.configureCount())
	}
	// The same version again: nothing to do, and wait out the gap.
	if wait := p.once(ctx); wait <= 0 || wait > time.Second {
		t.Fatalf("wait after the same version = %v", wait)
	}
	if dev.configureCount() != 1 {
		t.Fatal("ConfigureDevice called for an unchanged config")
	}
	// An older version (a lagging replica) is ignored.
	src.set(0, agentConfig(2))
	p.once(ctx)
	if p.rec.applied.Load() != 3 || len(dev.peers()) != 1 {
		t.Fatalf("stale config applied: version %d, peers %d", p.rec.applied.Load(), len(dev.peers()))
	}
	src.set(0, agentConfig(4))
	p.once(ctx)
	if p.rec.applied.Load() != 4 || len(dev.peers()) != 0 {
		t.Fatalf("version %d, peers %d", p.rec.applied.Load(), len(dev.peers()))
	}
	if want := []string{"0", "3", "3", "3"}; len(src.versions) != 4 || src.versions[0] != want[0] || src.versions[3] != want[3] {
		t.Fatalf("version parameters %v, want %v", src.versions, want)
	}
}

func TestPollerRejectsBadAnswers(t *testing.T) {
	src := &configSource{cfg: agentConfig(1, 1)}
	dev := &fakeDevice{}
	p := newTestPoller(t, src, dev, "wrong")
	if wait := p.once(context.Background()); wait != time.Minute {
		t.Fatalf("wait after 401 = %v", wait)
	}
	p.cp.token = "tok"
	for _, cfg := range []domain.AgentConfig{
		{ServerID: "ny", Version: 1},
		{ServerID: "la", Version: 1, Peers: []domain.AgentPeer{{PublicKey: "bad"}}},
	} {
		src.set(0, cfg)
		if wait := p.once(context.Background()); wait <= 0 {
			t.Fatalf("no backoff after an invalid config %+v", cfg)
		}
	}
	src.set(http.StatusServiceUnavailable, domain.AgentConfig{})
	if wait := p.once(context.Background()); wait <= 0 {
		t.Fatal("no backoff after 503")
	}
	if dev.configureCount() != 0 || p.rec.applied.Load() != 0 {
		t.Fatalf("device touched before a valid config: %d configures", dev.configureCount())
	}
}
