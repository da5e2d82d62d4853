package agent

import (
	"bytes"
	"slices"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// diff computes the device change that turns the current peers into the
// desired ones, and reports whether there is any change at all.
//
// Desired peers missing from the device are added; present ones whose
// preshared key or allowed IPs differ are updated (allowed IPs replaced).
// Current peers that are not desired are removed when Sentrazone manages
// them (managed), or when exclusive is set; other peers are left alone.
// Endpoints, keepalives and the interface itself are never touched.
func diff(current []wgtypes.Peer, desired []desiredPeer, managed map[wgtypes.Key]bool, exclusive bool) (wgtypes.Config, bool) {
	byKey := make(map[wgtypes.Key]*wgtypes.Peer, len(current))
	for i := range current {
		byKey[current[i].PublicKey] = &current[i]
	}
	want := make(map[wgtypes.Key]bool, len(desired))
	var peers []wgtypes.PeerConfig
	for _, d := range desired {
		want[d.PublicKey] = true
		cur, ok := byKey[d.PublicKey]
		if ok && cur.PresharedKey == d.PresharedKey && sameAllowedIPs(cur.AllowedIPs, d.AllowedIPs) {
			continue
		}
		psk := d.PresharedKey
		peers = append(peers, wgtypes.PeerConfig{
			PublicKey:         d.PublicKey,
			UpdateOnly:        ok,
			PresharedKey:      &psk,
			ReplaceAllowedIPs: true,
			AllowedIPs:        slices.Clone(d.AllowedIPs),
		})
	}
	for _, c := range current {
		if want[c.PublicKey] || !(exclusive || managed[c.PublicKey]) {
			continue
		}
		peers = append(peers, wgtypes.PeerConfig{PublicKey: c.PublicKey, Remove: true})
	}
	slices.SortFunc(peers, func(a, b wgtypes.PeerConfig) int {
		return bytes.Compare(a.PublicKey[:], b.PublicKey[:])
	})
	return wgtypes.Config{Peers: peers}, len(peers) > 0
}

// diffCounts tallies a change for logging.
func diffCounts(cfg wgtypes.Config) (added, updated, removed int) {
	for _, p := range cfg.Peers {
		switch {
		case p.Remove:
			removed++
		case p.UpdateOnly:
			updated++
		default:
			added++
		}
	}
	return added, updated, removed
}
