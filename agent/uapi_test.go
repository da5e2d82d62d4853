package agent

import (
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// uapiSample is a "get" answer as wireguard-go writes it.
const uapiSample = `private_key=0101010101010101010101010101010101010101010101010101010101010101
listen_port=51820
fwmark=7
public_key=0202020202020202020202020202020202020202020202020202020202020202
preshared_key=0303030303030303030303030303030303030303030303030303030303030303
protocol_version=1
endpoint=192.0.2.1:51000
last_handshake_time_sec=1700000000
last_handshake_time_nsec=5
tx_bytes=10
rx_bytes=20
persistent_keepalive_interval=25
allowed_ip=10.8.0.2/32
allowed_ip=fd00::/64
public_key=0404040404040404040404040404040404040404040404040404040404040404
preshared_key=0000000000000000000000000000000000000000000000000000000000000000
protocol_version=1
endpoint=[2001:db8::1%eth0]:51001
last_handshake_time_sec=0
last_handshake_time_nsec=0
tx_bytes=0
rx_bytes=0
persistent_keepalive_interval=0
allowed_ip=10.8.0.3/32
public_key=0505050505050505050505050505050505050505050505050505050505050505
preshared_key=0000000000000000000000000000000000000000000000000000000000000000
protocol_version=1
last_handshake_time_sec=0
last_handshake_time_nsec=0
tx_bytes=0
rx_bytes=0
persistent_keepalive_interval=0

`

// uapiSampleDevice is uapiSample as wgctrl parses it.
func uapiSampleDevice(t *testing.T) *wgtypes.Device {
	priv := testKey(1)
	return &wgtypes.Device{
		PrivateKey: priv, PublicKey: priv.PublicKey(), ListenPort: 51820, FirewallMark: 7,
		Peers: []wgtypes.Peer{{
			PublicKey: testKey(2), PresharedKey: testKey(3), ProtocolVersion: 1,
			Endpoint:          &net.UDPAddr{IP: net.IP{192, 0, 2, 1}, Port: 51000},
			LastHandshakeTime: time.Unix(1700000000, 5), TransmitBytes: 10, ReceiveBytes: 20,
			PersistentKeepaliveInterval: 25 * time.Second,
			AllowedIPs:                  cidrs(t, "10.8.0.2/32", "fd00::/64"),
		}, {
			PublicKey: testKey(4), ProtocolVersion: 1,
			Endpoint:   &net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 51001, Zone: "eth0"},
			AllowedIPs: cidrs(t, "10.8.0.3/32"),
		}, {
			PublicKey: testKey(5), ProtocolVersion: 1,
		}},
	}
}

func TestUAPIGetParsesLikeWgctrl(t *testing.T) {
	want := uapiSampleDevice(t)
	// In one write, and cut at every byte.
	for cut := 0; cut < len(uapiSample); cut++ {
		g := newUAPIGet(cut%3, cut%4)
		if cut > 0 {
			_, _ = g.Write([]byte(uapiSample[:cut]))
		}
		_, _ = g.Write([]byte(uapiSample[cut:]))
		got, err := g.device()
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d:\n got %+v\nwant %+v", cut, got, want)
		}
	}
}

func TestUAPIGetErrors(t *testing.T) {
	for _, in := range []string{
		"listen_port=x\n",
		"public_key=0202\n",
		"public_key=zz02020202020202020202020202020202020202020202020202020202020202\n",
		"no equals sign\n",
		uapiSample[:strings.Index(uapiSample, "allowed_ip")] + "allowed_ip=10.8.0.300/32\n",
		uapiSample[:strings.Index(uapiSample, "endpoint")] + "endpoint=nowhere\n",
	} {
		g := newUAPIGet(0, 0)
		_, _ = g.Write([]byte(in))
		if _, err := g.device(); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestUAPIGetAllocatesLittle guards the reason uapiGet exists: a read of
// many peers allocates once per allowed IP and endpoint (the netip parsers
// keep their input for errors), not several times per line as wgctrl.
func TestUAPIGetAllocatesLittle(t *testing.T) {
	var b strings.Builder
	head, peer, _ := strings.Cut(uapiSample, "public_key=02")
	peer, _, _ = strings.Cut("public_key=02"+peer, "public_key=04")
	b.WriteString(head)
	const peers = 1000
	for range peers {
		b.WriteString(peer)
	}
	in := []byte(b.String())
	allocs := testing.AllocsPerRun(10, func() {
		g := newUAPIGet(peers, 2*peers)
		_, _ = g.Write(in)
		if d, err := g.device(); err != nil || len(d.Peers) != peers {
			t.Fatalf("%v, %d peers", err, len(d.Peers))
		}
	})
	if allocs > 3*peers+50 { // 2 allowed IPs and an endpoint per peer
		t.Fatalf("%.0f allocations for %d peers", allocs, peers)
	}
}

func TestAppendUAPISet(t *testing.T) {
	priv, psk, ka, port, mark := testKey(1), testKey(3), 25*time.Second, 51820, 0
	cfg := wgtypes.Config{
		PrivateKey: &priv, ListenPort: &port, FirewallMark: &mark, ReplacePeers: true,
		Peers: []wgtypes.PeerConfig{{
			PublicKey: testKey(2), UpdateOnly: true, PresharedKey: &psk,
			Endpoint:                    &net.UDPAddr{IP: net.IP{192, 0, 2, 1}, Port: 51000},
			PersistentKeepaliveInterval: &ka, ReplaceAllowedIPs: true, AllowedIPs: cidrs(t, "10.8.0.2/32", "fd00::/64"),
		}, {PublicKey: testKey(4), Remove: true}},
	}
	want := `private_key=0101010101010101010101010101010101010101010101010101010101010101
listen_port=51820
fwmark=0
replace_peers=true
public_key=0202020202020202020202020202020202020202020202020202020202020202
update_only=true
preshared_key=0303030303030303030303030303030303030303030303030303030303030303
endpoint=192.0.2.1:51000
persistent_keepalive_interval=25
replace_allowed_ips=true
allowed_ip=10.8.0.2/32
allowed_ip=fd00::/64
public_key=0404040404040404040404040404040404040404040404040404040404040404
remove=true
`
	if got := string(appendUAPISet(nil, cfg)); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
