package agent

import (
	"net"
	"slices"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun/tuntest"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// TestInProcessRoundTrip configures a wireguard-go device (on a channel
// TUN, no root needed) through inProcess and reads it back.
func TestInProcessRoundTrip(t *testing.T) {
	dev := device.NewDevice(tuntest.NewChannelTUN().TUN(), conn.NewDefaultBind(), device.NewLogger(device.LogLevelSilent, ""))
	defer dev.Close()
	d := &inProcess{name: "wgtest", dev: dev}
	priv, err := wgtypes.GeneratePrivateKey() // clamped, as the device keeps it
	if err != nil {
		t.Fatal(err)
	}
	psk, ka := testKey(3), 25*time.Second
	err = d.ConfigureDevice("wgtest", wgtypes.Config{PrivateKey: &priv, Peers: []wgtypes.PeerConfig{
		{PublicKey: testKey(2), PresharedKey: &psk, Endpoint: mustUDPAddr(t, "127.0.0.1:9"),
			ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32", "fd00::/64")},
		{PublicKey: testKey(4), PersistentKeepaliveInterval: &ka, AllowedIPs: cidrs(t, "10.8.0.3/32")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Device("wgtest")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "wgtest" || got.Type != wgtypes.Userspace || got.PrivateKey != priv || got.PublicKey != priv.PublicKey() ||
		len(got.Peers) != 2 {
		t.Fatalf("device = %+v", got)
	}
	slices.SortFunc(got.Peers, func(a, b wgtypes.Peer) int { return int(a.PublicKey[0]) - int(b.PublicKey[0]) })
	p, q := got.Peers[0], got.Peers[1]
	if p.PublicKey != testKey(2) || p.PresharedKey != psk || p.Endpoint.String() != "127.0.0.1:9" || p.ProtocolVersion != 1 ||
		!slices.Equal(prefixSet(p.AllowedIPs), []string{"10.8.0.2/32", "fd00::/64"}) || !p.LastHandshakeTime.IsZero() {
		t.Fatalf("peer 2 = %+v", p)
	}
	if q.PublicKey != testKey(4) || q.PresharedKey != (wgtypes.Key{}) || q.Endpoint != nil || q.PersistentKeepaliveInterval != ka ||
		!slices.Equal(prefixSet(q.AllowedIPs), []string{"10.8.0.3/32"}) {
		t.Fatalf("peer 4 = %+v", q)
	}

	if err := d.ConfigureDevice("wgtest", wgtypes.Config{Peers: []wgtypes.PeerConfig{{PublicKey: testKey(2), Remove: true}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Device("wgtest"); err != nil || len(got.Peers) != 1 || got.Peers[0].PublicKey != testKey(4) {
		t.Fatalf("after removal: %+v, %v", got, err)
	}
	// Reading into the arrays of the first reading overwrites it.
	g := &uapiGet{}
	if _, err := d.deviceInto("wgtest", g); err != nil {
		t.Fatal(err)
	}
	if err := d.ConfigureDevice("wgtest", wgtypes.Config{Peers: []wgtypes.PeerConfig{
		{PublicKey: testKey(4), UpdateOnly: true, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.9.0.4/32", "fd09::4/128")},
		{PublicKey: testKey(5), Endpoint: mustUDPAddr(t, "[::1]:7"), AllowedIPs: cidrs(t, "10.9.0.5/32")},
	}}); err != nil {
		t.Fatal(err)
	}
	again, err := d.deviceInto("wgtest", g)
	if err != nil || len(again.Peers) != 2 {
		t.Fatalf("reused reading: %+v, %v", again, err)
	}
	slices.SortFunc(again.Peers, func(a, b wgtypes.Peer) int { return int(a.PublicKey[0]) - int(b.PublicKey[0]) })
	if p, q := again.Peers[0], again.Peers[1]; p.PublicKey != testKey(4) || !slices.Equal(prefixSet(p.AllowedIPs), []string{"10.9.0.4/32", "fd09::4/128"}) ||
		q.PublicKey != testKey(5) || q.Endpoint.String() != "[::1]:7" || !slices.Equal(prefixSet(q.AllowedIPs), []string{"10.9.0.5/32"}) {
		t.Fatalf("reused reading: %+v", again.Peers)
	}
	if _, err := d.Device("other"); err == nil {
		t.Fatal("read another device: no error")
	}
	if err := d.ConfigureDevice("other", wgtypes.Config{}); err == nil {
		t.Fatal("configured another device: no error")
	}
}

func mustUDPAddr(t *testing.T, s string) *net.UDPAddr {
	t.Helper()
	a, err := net.ResolveUDPAddr("udp", s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
