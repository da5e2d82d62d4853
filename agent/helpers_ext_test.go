package agent_test

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// eventually polls cond every 20 ms until it holds, failing the test after
// timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// testLogger writes the agent's logs to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// uniqueInterface returns a fresh interface name, "szt" and digits.
func uniqueInterface() string {
	return fmt.Sprintf("szt%d", rand.IntN(1_000_000_000))
}

func mustKey(t *testing.T) wgtypes.Key {
	t.Helper()
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// allowedIPs renders a peer's allowed IPs.
func allowedIPs(p wgtypes.Peer) []string {
	var out []string
	for _, n := range p.AllowedIPs {
		out = append(out, n.String())
	}
	return out
}

// findPeer returns the device's peer with key k.
func findPeer(d *wgtypes.Device, k wgtypes.Key) (wgtypes.Peer, bool) {
	for _, p := range d.Peers {
		if p.PublicKey == k {
			return p, true
		}
	}
	return wgtypes.Peer{}, false
}

// mustCIDR parses one CIDR.
func mustCIDR(t *testing.T, s string) net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return *n
}
