package agent

import (
	"bytes"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// testKey returns a distinct, fixed key for b.
func testKey(b byte) wgtypes.Key {
	var k wgtypes.Key
	for i := range k {
		k[i] = b
	}
	return k
}

// cidrs parses CIDRs for tests.
func cidrs(t *testing.T, ss ...string) []net.IPNet {
	t.Helper()
	var out []net.IPNet
	for _, s := range ss {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip.Mask(n.Mask)
		out = append(out, *n)
	}
	return out
}

// fakeDevice is an in-memory Device that applies configs like WireGuard
// does, and records them.
type fakeDevice struct {
	mu         sync.Mutex
	dev        wgtypes.Device
	configured []wgtypes.Config
	readErr    error
}

func (f *fakeDevice) Device(string) (*wgtypes.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.readErr != nil {
		return nil, f.readErr
	}
	d := f.dev
	d.Peers = slices.Clone(f.dev.Peers)
	return &d, nil
}

func (f *fakeDevice) ConfigureDevice(_ string, cfg wgtypes.Config) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.configured = append(f.configured, cfg)
	if cfg.PrivateKey != nil {
		f.dev.PrivateKey, f.dev.PublicKey = *cfg.PrivateKey, cfg.PrivateKey.PublicKey()
	}
	if cfg.ListenPort != nil {
		f.dev.ListenPort = *cfg.ListenPort
	}
	for _, pc := range cfg.Peers {
		i := slices.IndexFunc(f.dev.Peers, func(p wgtypes.Peer) bool { return p.PublicKey == pc.PublicKey })
		switch {
		case pc.Remove:
			if i >= 0 {
				f.dev.Peers = slices.Delete(f.dev.Peers, i, i+1)
			}
			continue
		case i < 0 && pc.UpdateOnly:
			continue
		case i < 0:
			f.dev.Peers = append(f.dev.Peers, wgtypes.Peer{PublicKey: pc.PublicKey, LastHandshakeTime: time.Time{}})
			i = len(f.dev.Peers) - 1
		}
		p := &f.dev.Peers[i]
		if pc.PresharedKey != nil {
			p.PresharedKey = *pc.PresharedKey
		}
		if pc.ReplaceAllowedIPs {
			p.AllowedIPs = nil
		}
		p.AllowedIPs = append(p.AllowedIPs, pc.AllowedIPs...)
	}
	slices.SortFunc(f.dev.Peers, func(a, b wgtypes.Peer) int { return bytes.Compare(a.PublicKey[:], b.PublicKey[:]) })
	return nil
}

func (f *fakeDevice) Close() error { return nil }

// configureCount is how often ConfigureDevice was called.
func (f *fakeDevice) configureCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.configured)
}

// peers returns the current peers.
func (f *fakeDevice) peers() []wgtypes.Peer {
	d, _ := f.Device("")
	return d.Peers
}
