package agenttest

import (
	"strings"
	"testing"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func TestParseQuickConfig(t *testing.T) {
	priv, _ := wgtypes.GeneratePrivateKey()
	pub, _ := wgtypes.GeneratePrivateKey()
	psk, _ := wgtypes.GenerateKey()
	text := "# alice-iphone\n[Interface]\nPrivateKey = " + priv.String() + "\nAddress = 10.8.0.2/32, fd00::2\n" +
		"DNS = 1.1.1.1, example.com\nMTU=1380\nPostUp = echo hi\n\n" +
		"[Peer]\npublickey = " + pub.PublicKey().String() + "\nPresharedKey = " + psk.String() +
		"\nEndpoint = vpn.example.com:51820\nAllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25 # keep NAT open\n"
	c, err := ParseQuickConfig(text)
	if err != nil {
		t.Fatal(err)
	}
	if c.PrivateKey != priv || len(c.Addresses) != 2 || c.Addresses[1].String() != "fd00::2/128" ||
		len(c.DNS) != 1 || c.DNS[0].String() != "1.1.1.1" || c.MTU != 1380 {
		t.Fatalf("interface = %+v", c)
	}
	if len(c.Peers) != 1 {
		t.Fatalf("peers = %+v", c.Peers)
	}
	p := c.Peers[0]
	if p.PublicKey != pub.PublicKey() || p.PresharedKey != psk || p.Endpoint != "vpn.example.com:51820" ||
		len(p.AllowedIPs) != 2 || p.PersistentKeepalive != 25 {
		t.Fatalf("peer = %+v", p)
	}
}

func TestParseQuickConfigErrors(t *testing.T) {
	for text, want := range map[string]string{
		"[Interface]\nAddress = 10.8.0.2/32\n":                    "no PrivateKey",
		"[Interface]\nPrivateKey = c2VjcmV0\n":                    "not a base64 WireGuard key",
		"[Wat]\n":                                                 "unknown section",
		"PrivateKey = x\n":                                        "outside a section",
		"[Interface]\nAddress\n":                                  "key = value",
		"[Interface]\nAddress = 10.8.0.300/32\n":                  "10.8.0.300",
		"[Peer]\nAllowedIPs = 10.0.0.0/8\n[Interface]\nMTU = x\n": "line 4",
	} {
		_, err := ParseQuickConfig(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("error quotes a key: %v", err)
		}
	}
}

func TestUAPIConfig(t *testing.T) {
	priv, _ := wgtypes.GeneratePrivateKey()
	c := &QuickConfig{PrivateKey: priv, Peers: []QuickPeer{{
		PublicKey: priv.PublicKey(), Endpoint: "127.0.0.1:51820", PersistentKeepalive: 5,
	}}}
	s, err := uapiConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"endpoint=127.0.0.1:51820\n", "persistent_keepalive_interval=5\n", "replace_peers=true\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("uapi lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "preshared_key") {
		t.Error("uapi sets a preshared key that was not given")
	}
}
