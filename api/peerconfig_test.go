package api

import (
	"testing"

	"github.com/sentrazone/sentrazone/api/qrtest"
	"github.com/sentrazone/sentrazone/domain"
)

const wantConfig = "[Interface]\n" +
	"PrivateKey = PRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVke0=\n" +
	"Address = 10.8.0.2/32\n" +
	"DNS = 1.1.1.1, 9.9.9.9\n" +
	"\n" +
	"[Peer]\n" +
	"PublicKey = " + testServerKey + "\n" +
	"PresharedKey = PSKpskPSKpskPSKpskPSKpskPSKpskPSKpskPSKps0=\n" +
	"Endpoint = vpn.example.com:51820\n" +
	"AllowedIPs = 0.0.0.0/0, ::/0\n" +
	"PersistentKeepalive = 25\n"

func TestRenderConfig(t *testing.T) {
	c := wgQuickConfig{
		PrivateKey: "PRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVke0=", Address: "10.8.0.2", DNS: "1.1.1.1, 9.9.9.9",
		ServerPublicKey: testServerKey, PresharedKey: "PSKpskPSKpskPSKpskPSKpskPSKpskPSKpskPSKps0=",
		Endpoint: "vpn.example.com:51820",
	}
	if got := c.Render(); got != wantConfig {
		t.Fatalf("config:\n%q\nwant\n%q", got, wantConfig)
	}
}

func withSecrets(e *env) {
	e.cmd.peerSecrets = func(serverID, clientID string) (string, string, error) {
		return "PRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVkeyPRIVke0=", "PSKpskPSKpskPSKpskPSKpskPSKpskPSKpskPSKps0=", nil
	}
}

func TestPeerConfigDownload(t *testing.T) {
	e := newEnv(t)
	withServer(e)
	withSecrets(e)
	r := e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/los-angeles/c1/config", "").want(t, 200)
	if string(r.body) != wantConfig {
		t.Fatalf("config:\n%s", r.body)
	}
	for h, want := range map[string]string{
		"Content-Type":        "text/plain; charset=utf-8",
		"Content-Disposition": `attachment; filename="los-angeles-alice-iphone.conf"`,
		"Cache-Control":       "no-store",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/los-angeles/nope/config", "").want(t, 404, CodeNotFound)
	e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/tokyo/c1/config", "").want(t, 404, CodeNotFound)

	srv := e.state.servers["los-angeles"]
	srv.PublicKey = ""
	e.state.servers["los-angeles"] = srv
	for _, path := range []string{"/api/wg-clients/los-angeles/c1/config", "/api/wg-clients/los-angeles/c1/qrcode"} {
		r := e.as(t, domain.RoleAdmin, "GET", path, "").want(t, 409, CodeConflict)
		if m := r.message(t); m != "server los-angeles has not reported its WireGuard public key yet; start its agent and try again" {
			t.Errorf("message %q", m)
		}
	}
}

func TestPeerQRCodeDecodesToConfig(t *testing.T) {
	e := newEnv(t)
	withServer(e)
	withSecrets(e)
	r := e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/los-angeles/c1/qrcode", "").want(t, 200)
	if ct := r.header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Fatalf("Content-Type %q", ct)
	}
	modules := svgModules(t, string(r.body))
	for i := range 4 {
		for j := range modules {
			if modules[i][j] || modules[j][i] || modules[len(modules)-1-i][j] || modules[j][len(modules)-1-i] {
				t.Fatalf("no 4-module quiet zone (module %d,%d)", i, j)
			}
		}
	}
	if got := decodeQR(t, modules); got != wantConfig {
		t.Fatalf("QR decodes to\n%q\nwant\n%q", got, wantConfig)
	}
}

func svgModules(t *testing.T, svg string) [][]bool {
	t.Helper()
	m, err := qrtest.Modules([]byte(svg))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decodeQR(t *testing.T, m [][]bool) string {
	t.Helper()
	text, err := qrtest.Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestSafeFilename(t *testing.T) {
	if got := safeFilename(`a"b/c\d e.conf`); got != "a_b_c_d_e.conf" {
		t.Errorf("safeFilename = %q", got)
	}
}
