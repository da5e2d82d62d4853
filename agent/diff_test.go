package agent

import (
	"net"
	"reflect"
	"testing"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func TestDiff(t *testing.T) {
	a, b, c := testKey(1), testKey(2), testKey(3)
	psk1, psk2, none := testKey(11), testKey(12), wgtypes.Key{}
	v4mapped := net.IPNet{IP: net.ParseIP("10.8.0.2"), Mask: net.CIDRMask(32, 32)}
	tests := []struct {
		name      string
		current   []wgtypes.Peer
		desired   []desiredPeer
		managed   []wgtypes.Key
		exclusive bool
		want      []wgtypes.PeerConfig
	}{
		{
			name:    "add a new peer",
			desired: []desiredPeer{{PublicKey: a, PresharedKey: psk1, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			want:    []wgtypes.PeerConfig{{PublicKey: a, PresharedKey: &psk1, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
		},
		{
			name:    "update the preshared key",
			current: []wgtypes.Peer{{PublicKey: a, PresharedKey: psk1, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			desired: []desiredPeer{{PublicKey: a, PresharedKey: psk2, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			managed: []wgtypes.Key{a},
			want:    []wgtypes.PeerConfig{{PublicKey: a, UpdateOnly: true, PresharedKey: &psk2, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
		},
		{
			name:    "clear the preshared key",
			current: []wgtypes.Peer{{PublicKey: a, PresharedKey: psk1, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			desired: []desiredPeer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			want:    []wgtypes.PeerConfig{{PublicKey: a, UpdateOnly: true, PresharedKey: &none, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
		},
		{
			name:    "replace allowed IPs",
			current: []wgtypes.Peer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32", "10.9.0.0/24")}},
			desired: []desiredPeer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			want:    []wgtypes.PeerConfig{{PublicKey: a, UpdateOnly: true, PresharedKey: &none, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
		},
		{
			name:    "remove a managed peer that was disabled",
			current: []wgtypes.Peer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}, {PublicKey: b, AllowedIPs: cidrs(t, "10.8.0.3/32")}},
			desired: []desiredPeer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			managed: []wgtypes.Key{a, b},
			want:    []wgtypes.PeerConfig{{PublicKey: b, Remove: true}},
		},
		{
			name:    "keep an unmanaged peer",
			current: []wgtypes.Peer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}, {PublicKey: c, AllowedIPs: cidrs(t, "192.0.2.0/24")}},
			desired: []desiredPeer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			managed: []wgtypes.Key{a},
		},
		{
			name:      "remove an unmanaged peer when exclusive",
			current:   []wgtypes.Peer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}, {PublicKey: c, AllowedIPs: cidrs(t, "192.0.2.0/24")}},
			desired:   []desiredPeer{{PublicKey: a, AllowedIPs: cidrs(t, "10.8.0.2/32")}},
			managed:   []wgtypes.Key{a},
			exclusive: true,
			want:      []wgtypes.PeerConfig{{PublicKey: c, Remove: true}},
		},
		{
			name:    "no-op when equal, whatever the IP representation and order",
			current: []wgtypes.Peer{{PublicKey: a, PresharedKey: psk1, AllowedIPs: append(cidrs(t, "fd00::2/128"), v4mapped)}},
			desired: []desiredPeer{{PublicKey: a, PresharedKey: psk1, AllowedIPs: cidrs(t, "10.8.0.2/32", "fd00::2/128")}},
			managed: []wgtypes.Key{a},
		},
		{
			name:    "empty desired removes every managed peer, sorted by key",
			current: []wgtypes.Peer{{PublicKey: b}, {PublicKey: a}, {PublicKey: c}},
			managed: []wgtypes.Key{a, b},
			want:    []wgtypes.PeerConfig{{PublicKey: a, Remove: true}, {PublicKey: b, Remove: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			managed := map[wgtypes.Key]bool{}
			for _, k := range tt.managed {
				managed[k] = true
			}
			got, changed := diff(tt.current, tt.desired, managed, tt.exclusive)
			if changed != (len(tt.want) > 0) {
				t.Errorf("changed = %v, want %v", changed, len(tt.want) > 0)
			}
			if got.PrivateKey != nil || got.ListenPort != nil || got.ReplacePeers || got.FirewallMark != nil {
				t.Errorf("diff touched the interface: %+v", got)
			}
			if !reflect.DeepEqual(got.Peers, tt.want) {
				t.Errorf("peers:\n got %+v\nwant %+v", got.Peers, tt.want)
			}
		})
	}
}
