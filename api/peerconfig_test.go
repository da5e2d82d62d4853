package api

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

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

var (
	svgViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// svgModules reads the module matrix back from our SVG's path runs.
func svgModules(t *testing.T, svg string) [][]bool {
	t.Helper()
	vb := svgViewBox.FindStringSubmatch(svg)
	if vb == nil || vb[1] != vb[2] {
		t.Fatalf("no square viewBox in %.200s", svg)
	}
	n, _ := strconv.Atoi(vb[1])
	m := make([][]bool, n)
	for i := range m {
		m[i] = make([]bool, n)
	}
	runs := svgRun.FindAllStringSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatal("no dark modules")
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		if r[3] != r[4] || x+w > n || y >= n {
			t.Fatalf("bad run %q in a %d matrix", r[0], n)
		}
		for i := x; i < x+w; i++ {
			m[y][i] = true
		}
	}
	return m
}

// decodeQR draws the matrix at 4 px per module and decodes it.
func decodeQR(t *testing.T, m [][]bool) string {
	t.Helper()
	const scale = 4
	n := len(m)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for y := range n * scale {
		for x := range n * scale {
			c := color.Gray{Y: 255}
			if m[y/scale][x/scale] {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

func TestSafeFilename(t *testing.T) {
	if got := safeFilename(`a"b/c\d e.conf`); got != "a_b_c_d_e.conf" {
		t.Errorf("safeFilename = %q", got)
	}
}
