package agent

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// recordingAddr records the addresses it was given.
type recordingAddr struct{ set []netip.Prefix }

func (r *recordingAddr) SetAddress(p netip.Prefix) error {
	r.set = append(r.set, p)
	return nil
}

func newTestReconciler(t *testing.T, dev Device, stateDir string) *reconciler {
	t.Helper()
	m, err := loadManaged(stateDir, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	return &reconciler{dev: dev, iface: "wg0", managed: m, log: slog.New(slog.DiscardHandler)}
}

func TestReconcileAppliesOnlyChangesAndRemembersManagedPeers(t *testing.T) {
	dir := t.TempDir()
	hand := testKey(9) // a peer added by hand
	dev := &fakeDevice{dev: wgtypes.Device{Peers: []wgtypes.Peer{{PublicKey: hand}}}}
	rec := newTestReconciler(t, dev, dir)
	addr := &recordingAddr{}
	rec.addr = addr
	v1 := desiredState{Version: 1, Address: netip.MustParsePrefix("10.8.0.1/24"), Peers: []desiredPeer{
		{PublicKey: testKey(1), PresharedKey: testKey(11), AllowedIPs: cidrs(t, "10.8.0.2/32")},
		{PublicKey: testKey(2), AllowedIPs: cidrs(t, "10.8.0.3/32")},
	}}
	if err := rec.apply(v1); err != nil {
		t.Fatal(err)
	}
	if n := dev.configureCount(); n != 1 {
		t.Fatalf("ConfigureDevice calls = %d, want 1", n)
	}
	if got := len(dev.peers()); got != 3 {
		t.Fatalf("device has %d peers, want 3", got)
	}
	if rec.applied.Load() != 1 || len(addr.set) != 1 || addr.set[0].String() != "10.8.0.1/24" {
		t.Fatalf("applied = %d, addresses = %v", rec.applied.Load(), addr.set)
	}

	if err := rec.apply(v1); err != nil {
		t.Fatal(err)
	}
	if n := dev.configureCount(); n != 1 {
		t.Fatalf("ConfigureDevice called again for an unchanged config (%d calls)", n)
	}

	// A restart: a new reconciler loads the managed set from the state dir
	// and still removes the disabled peer 2, but not the hand-made one.
	rec2 := newTestReconciler(t, dev, dir)
	v2 := desiredState{Version: 2, Peers: v1.Peers[:1]}
	if err := rec2.apply(v2); err != nil {
		t.Fatal(err)
	}
	var keys []wgtypes.Key
	for _, p := range dev.peers() {
		keys = append(keys, p.PublicKey)
	}
	if len(keys) != 2 || keys[0] != testKey(1) || keys[1] != hand {
		t.Fatalf("device peers after v2 = %v, want peer 1 and the hand-made one", keys)
	}
	b, err := os.ReadFile(filepath.Join(dir, "managed-peers-wg0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), testKey(1).String()) || strings.Contains(string(b), testKey(2).String()) {
		t.Fatalf("managed file = %s", b)
	}
	if st, _ := os.Stat(filepath.Join(dir, "managed-peers-wg0.json")); st.Mode().Perm() != 0o600 {
		t.Fatalf("managed file mode = %v", st.Mode())
	}
}

func TestReconcileExclusiveRemovesHandMadePeers(t *testing.T) {
	dev := &fakeDevice{dev: wgtypes.Device{Peers: []wgtypes.Peer{{PublicKey: testKey(9)}}}}
	rec := newTestReconciler(t, dev, t.TempDir())
	rec.exclusive = true
	if err := rec.apply(desiredState{Version: 3}); err != nil {
		t.Fatal(err)
	}
	if n := len(dev.peers()); n != 0 {
		t.Fatalf("device has %d peers, want 0", n)
	}
}

func TestLoadManagedRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "managed-peers-wg0.json"), []byte("{nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadManaged(dir, "wg0"); err == nil {
		t.Fatal("loadManaged accepted a corrupt file")
	}
}
