package agent

import (
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func TestBuildReport(t *testing.T) {
	priv := testKey(7)
	hs := time.Date(2026, 5, 6, 11, 55, 0, 0, time.FixedZone("x", 3600))
	dev := &wgtypes.Device{
		PublicKey:  priv.PublicKey(),
		ListenPort: 51820,
		Peers: []wgtypes.Peer{
			{PublicKey: testKey(2), ReceiveBytes: 100, TransmitBytes: 10},
			{PublicKey: testKey(1), ReceiveBytes: 5, TransmitBytes: 7, LastHandshakeTime: hs,
				Endpoint: &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 40000}},
		},
	}
	at := time.Date(2026, 5, 6, 12, 0, 0, 123456789, time.FixedZone("y", -7200))
	r := buildReport("la", dev, 12400*time.Microsecond, nil, at, 9)
	if r.Peers != 2 || r.TransferRx != 105 || r.TransferTx != 17 || r.AppliedVersion != 9 {
		t.Fatalf("report = %+v", r)
	}
	if r.PingMS == nil || *r.PingMS != 12.4 {
		t.Fatalf("ping = %v", r.PingMS)
	}
	if r.Interface.PublicKey != priv.PublicKey().String() || r.Interface.ListenPort != 51820 {
		t.Fatalf("interface = %+v", r.Interface)
	}
	first, second := r.PeerStats[0], r.PeerStats[1]
	if first.PublicKey != testKey(1).String() || first.Endpoint != "127.0.0.1:40000" || !first.LatestHandshakeAt.Equal(hs) {
		t.Fatalf("first peer stat = %+v", first)
	}
	if second.Endpoint != "" || second.LatestHandshakeAt != nil {
		t.Fatalf("second peer stat = %+v", second)
	}

	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"server_id":"la"`, `"ping_ms":12.4`, `"peers":2`, `"transfer_rx":105`, `"transfer_tx":17`,
		`"reported_at":"2026-05-06T14:00:00.123456789Z"`, `"latest_handshake_at":"2026-05-06T10:55:00Z"`,
		`"listen_port":51820`, `"applied_version":9`, `"endpoint":""`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, priv.String()) {
		t.Fatal("report contains the private key")
	}
}

func TestBuildReportFailedProbeIsNull(t *testing.T) {
	r := buildReport("la", &wgtypes.Device{}, 0, errors.New("timeout"), time.Now(), 0)
	if r.PingMS != nil {
		t.Fatalf("ping = %v, want nil", *r.PingMS)
	}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"ping_ms":null`) || !strings.Contains(string(b), `"peer_stats":[]`) {
		t.Fatalf("JSON = %s", b)
	}
}

func TestKeyString(t *testing.T) {
	for _, k := range []wgtypes.Key{{}, testKey(1), testKey(0xff)} {
		if got, want := keyString(k), k.String(); got != want {
			t.Fatalf("keyString = %q, want %q", got, want)
		}
	}
}
