package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

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
	if wait := p.once(context.Background()); wait < 30*time.Second || wait > time.Minute {
		t.Fatalf("wait after 401 = %v, want the slow auth wait in [30s, 1m]", wait)
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

// TestPollerRemovesADeletedPeer: a peer deleted on the control plane is
// absent from the next config; the agent removes it from the device and
// leaves the remaining peer and a peer added by hand exactly as they were,
// even when a new peer takes over the deleted one's address.
func TestPollerRemovesADeletedPeer(t *testing.T) {
	a, b, c, hand := testKey(1), testKey(2), testKey(3), testKey(9)
	handPeer := wgtypes.Peer{PublicKey: hand, AllowedIPs: cidrs(t, "192.0.2.0/24"),
		Endpoint: &net.UDPAddr{IP: net.IPv4(198, 51, 100, 7), Port: 51820}}
	dev := &fakeDevice{dev: wgtypes.Device{Peers: []wgtypes.Peer{handPeer}}}
	peer := func(k wgtypes.Key, psk, ip string) domain.AgentPeer {
		return domain.AgentPeer{PublicKey: k.String(), PresharedKey: psk, AllowedIPs: []string{ip}}
	}
	v1 := domain.AgentConfig{ServerID: "la", Version: 1, Peers: []domain.AgentPeer{
		peer(a, testKey(11).String(), "10.8.0.2/32"), peer(b, testKey(12).String(), "10.8.0.3/32"),
	}}
	src := &configSource{cfg: v1}
	p := newTestPoller(t, src, dev, "tok")
	p.once(context.Background())
	if got := peerKeys(dev.peers()); !slices.Equal(got, []wgtypes.Key{a, b, hand}) {
		t.Fatalf("device peers after v1 = %v, want a, b and the hand-made one", got)
	}
	before := peerByKey(dev.peers(), a)

	// v2: b was deleted and c got its address.
	src.set(0, domain.AgentConfig{ServerID: "la", Version: 2, Peers: []domain.AgentPeer{
		v1.Peers[0], peer(c, "", "10.8.0.3/32"),
	}})
	p.once(context.Background())
	if p.rec.applied.Load() != 2 {
		t.Fatalf("applied version %d, want 2", p.rec.applied.Load())
	}
	if got := peerKeys(dev.peers()); !slices.Equal(got, []wgtypes.Key{a, c, hand}) {
		t.Fatalf("device peers after v2 = %v, want a, c and the hand-made one", got)
	}
	if got := peerByKey(dev.peers(), a); !reflect.DeepEqual(got, before) {
		t.Fatalf("peer a changed:\n got %+v\nwant %+v", got, before)
	}
	if got := peerByKey(dev.peers(), hand); !reflect.DeepEqual(got, handPeer) {
		t.Fatalf("hand-made peer changed:\n got %+v\nwant %+v", got, handPeer)
	}
	if n := dev.configureCount(); n != 2 {
		t.Fatalf("ConfigureDevice calls = %d, want 2", n)
	}
	// The change itself names only the deleted and the new peer.
	dev.mu.Lock()
	change := dev.configured[1]
	dev.mu.Unlock()
	var removed, other []wgtypes.Key
	for _, pc := range change.Peers {
		if pc.Remove {
			removed = append(removed, pc.PublicKey)
		} else {
			other = append(other, pc.PublicKey)
		}
	}
	if !slices.Equal(removed, []wgtypes.Key{b}) || !slices.Equal(other, []wgtypes.Key{c}) || change.ReplacePeers {
		t.Fatalf("v2 change removed %v, set %v, replace peers %v; want remove b, add c", removed, other, change.ReplacePeers)
	}
	if m := p.rec.managed.snapshot(); m[b] || !m[a] || !m[c] || m[hand] {
		t.Fatalf("managed set after v2 = %v", m)
	}
}

func peerKeys(ps []wgtypes.Peer) []wgtypes.Key {
	var out []wgtypes.Key
	for _, p := range ps {
		out = append(out, p.PublicKey)
	}
	return out
}

func peerByKey(ps []wgtypes.Peer, k wgtypes.Key) wgtypes.Peer {
	for _, p := range ps {
		if p.PublicKey == k {
			return p
		}
	}
	return wgtypes.Peer{}
}

// TestPollerReusesAnIdenticalAnswer: the same body is not decoded again,
// but the device is still compared with it, so drift is repaired.
func TestPollerReusesAnIdenticalAnswer(t *testing.T) {
	src := &configSource{cfg: agentConfig(2, 1, 2)}
	dev := &fakeDevice{}
	p := newTestPoller(t, src, dev, "tok")
	ctx := context.Background()
	p.once(ctx)
	first := p.last
	if first == nil || len(dev.peers()) != 2 {
		t.Fatalf("first answer: last %v, %d peers", first, len(dev.peers()))
	}
	if err := dev.ConfigureDevice("wg0", wgtypes.Config{Peers: []wgtypes.PeerConfig{{PublicKey: testKey(2), Remove: true}}}); err != nil {
		t.Fatal(err)
	}
	p.once(ctx)
	if &p.last.Peers[0] != &first.Peers[0] {
		t.Fatal("an identical answer was decoded again")
	}
	if len(dev.peers()) != 2 {
		t.Fatalf("drift not repaired: %d peers", len(dev.peers()))
	}
	src.set(0, agentConfig(3, 1))
	p.once(ctx)
	if p.last.Version != 3 || len(dev.peers()) != 1 || p.rec.applied.Load() != 3 {
		t.Fatalf("changed answer: version %d, %d peers", p.last.Version, len(dev.peers()))
	}
}
