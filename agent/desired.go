package agent

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/domain"
)

// desiredState is a validated domain.AgentConfig.
type desiredState struct {
	Version int64
	// Address is the server's own address in its subnet; invalid when the
	// control plane sent none.
	Address netip.Prefix
	Peers   []desiredPeer
}

// desiredPeer is one peer the device must have.
type desiredPeer struct {
	PublicKey wgtypes.Key
	// PresharedKey is the zero key when the peer has none.
	PresharedKey wgtypes.Key
	AllowedIPs   []net.IPNet
}

// parseDesired validates a config served for serverID. Key material is
// never quoted in errors.
func parseDesired(c domain.AgentConfig, serverID string) (desiredState, error) {
	if c.ServerID != serverID {
		return desiredState{}, fmt.Errorf("config is for server %q, not %q", c.ServerID, serverID)
	}
	if c.Version < 0 {
		return desiredState{}, fmt.Errorf("config version %d is negative", c.Version)
	}
	ds := desiredState{Version: c.Version, Peers: make([]desiredPeer, 0, len(c.Peers))}
	if c.Address != "" {
		p, err := netip.ParsePrefix(c.Address)
		if err != nil {
			return desiredState{}, fmt.Errorf("config address: %w", err)
		}
		ds.Address = p
	}
	seen := make(map[wgtypes.Key]bool, len(c.Peers))
	for i, p := range c.Peers {
		dp, err := parsePeer(p)
		if err != nil {
			return desiredState{}, fmt.Errorf("config peer %d: %w", i, err)
		}
		if seen[dp.PublicKey] {
			return desiredState{}, fmt.Errorf("config peer %d: duplicate public key %s", i, p.PublicKey)
		}
		seen[dp.PublicKey] = true
		ds.Peers = append(ds.Peers, dp)
	}
	return ds, nil
}

func parsePeer(p domain.AgentPeer) (desiredPeer, error) {
	pub, err := wgtypes.ParseKey(p.PublicKey)
	if err != nil {
		return desiredPeer{}, fmt.Errorf("public key %q is not a WireGuard key", p.PublicKey)
	}
	dp := desiredPeer{PublicKey: pub}
	if p.PresharedKey != "" {
		if dp.PresharedKey, err = wgtypes.ParseKey(p.PresharedKey); err != nil {
			return desiredPeer{}, fmt.Errorf("peer %s: preshared key is not a WireGuard key", p.PublicKey)
		}
	}
	for _, s := range p.AllowedIPs {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return desiredPeer{}, fmt.Errorf("peer %s: allowed ip: %w", p.PublicKey, err)
		}
		dp.AllowedIPs = append(dp.AllowedIPs, ipNet(pfx.Masked()))
	}
	return dp, nil
}

// ipNet converts a prefix to the net.IPNet wgctrl wants.
func ipNet(p netip.Prefix) net.IPNet {
	bits := p.Addr().BitLen()
	return net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

// sameAllowedIPs reports whether a and b are the same set of prefixes. It
// does not allocate when they are in the same order, as they usually are:
// every answer of the control plane is compared with the device.
func sameAllowedIPs(a, b []net.IPNet) bool {
	if len(a) == len(b) {
		same := true
		for i := range a {
			pa, oka := canonicalPrefix(a[i])
			pb, okb := canonicalPrefix(b[i])
			if !oka || !okb || pa != pb {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return slices.Equal(prefixSet(a), prefixSet(b))
}

// canonicalPrefix is n masked, with IPv4 unmapped.
func canonicalPrefix(n net.IPNet) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	ones, bits := n.Mask.Size()
	if bits == 128 && a.Is4() {
		ones -= 96
	}
	return netip.PrefixFrom(a, ones).Masked(), true
}

// prefixSet renders allowed IPs canonically (masked, IPv4 unmapped,
// sorted, deduplicated) so two lists can be compared as sets.
func prefixSet(ns []net.IPNet) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		if p, ok := canonicalPrefix(n); ok {
			out = append(out, p.String())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
