package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEndToEndEmbeddedDefault(t *testing.T) {
	runEndToEnd(t, embeddedConfig(t))
}

func TestEndToEndKafkaPostgresClickHouse(t *testing.T) {
	runEndToEnd(t, externalConfig(t))
}

// fleet is what an end-to-end run creates and later checks again.
type fleet struct {
	admin, user      *client
	serverKey        string
	peerID, peerAddr string
	config           string // alice's wg-quick config
	auditRows        int
}

// runEndToEnd drives every endpoint through the real HTTP API, restarts
// the control plane and checks that nothing was lost.
func runEndToEnd(t *testing.T, c *config) {
	srv := start(t, c)
	api := newClient(t, "http://"+srv.Addr())
	f := &fleet{}
	stepAuth(t, api, f)
	stepServersAndReports(t, api, f)
	stepPeers(t, api, f)
	stepHostileInputs(t, api, f)
	stepSecretsStayOutOfTheLog(t, srv, f)
	stepAudit(t, f)
	stepLimits(t, api, f)

	// Restart on the same data dir / databases: nothing is lost.
	if err := srv.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	srv = start(t, c)
	api = newClient(t, "http://"+srv.Addr())
	stepAfterRestart(t, api, f)
}

func stepAuth(t *testing.T, api *client, f *fleet) {
	if code := api.expect(401, "POST", "/api/login", map[string]string{"email": adminEmail, "password": "wrong password"}).errorCode(t); code != "unauthorized" {
		t.Fatalf("wrong password code %q", code)
	}
	unknown := api.expect(401, "POST", "/api/login", map[string]string{"email": "nobody@example.com", "password": "whatever123"})
	wrong := api.do("POST", "/api/login", map[string]string{"email": adminEmail, "password": "wrong again"})
	if string(unknown.body) != string(wrong.body) {
		t.Fatalf("unknown email and wrong password answer differently: %s vs %s", unknown.body, wrong.body)
	}
	api.expect(400, "POST", "/api/login", "{not json")
	api.expect(401, "GET", "/api/statuses", nil)
	api.as("not-a-jwt").expect(401, "GET", "/api/statuses", nil)

	f.admin = api.as(api.login(adminEmail, adminPassword))
	f.admin.expect(201, "POST", "/api/users", map[string]string{"email": "viewer@example.com", "password": "viewer-password", "role": "user"})
	f.admin.expect(409, "POST", "/api/users", map[string]string{"email": "Viewer@example.com", "password": "viewer-password", "role": "user"})
	f.admin.expect(400, "POST", "/api/users", map[string]string{"email": "x@example.com", "password": "short", "role": "user"})
	var users []map[string]any
	f.admin.expect(200, "GET", "/api/users", nil).json(t, &users)
	if len(users) != 2 {
		t.Fatalf("users: %v", users)
	}
	f.user = api.as(api.login("viewer@example.com", "viewer-password"))
	f.user.expect(200, "GET", "/api/statuses", nil)
	f.user.expect(403, "GET", "/api/audit", nil)
	f.user.expect(403, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "x"})
}

type status struct {
	ServerID   string   `json:"server_id"`
	Online     bool     `json:"online"`
	PingMS     *float64 `json:"ping_ms"`
	Peers      int      `json:"peers"`
	TransferRx uint64   `json:"transfer_rx"`
	TransferTx uint64   `json:"transfer_tx"`
	ReportedAt *string  `json:"reported_at"`
}

func statuses(t *testing.T, c *client) map[string]status {
	var list []status
	c.expect(200, "GET", "/api/statuses", nil).json(t, &list)
	out := map[string]status{}
	for i, s := range list {
		if i > 0 && list[i-1].ServerID >= s.ServerID {
			t.Fatalf("statuses not sorted by server_id: %v", list)
		}
		out[s.ServerID] = s
	}
	return out
}

func stepServersAndReports(t *testing.T, api *client, f *fleet) {
	var reg struct {
		ID         string `json:"id"`
		AgentToken string `json:"agent_token"`
	}
	f.admin.expect(201, "POST", "/api/servers", map[string]string{"id": "los-angeles", "name": "Los Angeles",
		"endpoint": "vpn.example.com:51820"}).json(t, &reg)
	if reg.AgentToken == "" {
		t.Fatal("no agent token on registration")
	}
	f.admin.expect(409, "POST", "/api/servers", map[string]string{"id": "los-angeles", "endpoint": "vpn.example.com:51820"})
	f.admin.expect(400, "POST", "/api/servers", map[string]string{"id": "Bad_ID", "endpoint": "vpn.example.com:51820"})
	f.admin.expect(201, "POST", "/api/servers", map[string]string{"id": "quiet", "endpoint": "quiet.example.com:51820"})

	agent := api.as(reg.AgentToken)
	f.serverKey = wgPublicKey(t)
	report := map[string]any{"server_id": "los-angeles", "ping_ms": 12.4, "peers": 5, "transfer_rx": 1048576,
		"transfer_tx": 524288, "interface": map[string]any{"public_key": f.serverKey, "listen_port": 51820}}
	api.expect(401, "POST", "/api/report", report)
	api.as("szagent.los-angeles.forged").expect(401, "POST", "/api/report", report)
	agent.expect(403, "POST", "/api/report", map[string]any{"server_id": "quiet", "ping_ms": 1})
	agent.expect(400, "POST", "/api/report", map[string]any{"server_id": "los-angeles", "ping_ms": -1})
	agent.expect(400, "POST", "/api/report", map[string]any{"server_id": "los-angeles", "transfer_rx": -5})
	if code := agent.oversized("/api/report", 1<<20+1); code != 413 {
		t.Fatalf("oversized report: status %d, want 413", code)
	}

	sent := time.Now()
	agent.expect(202, "POST", "/api/report", report)
	took := eventually(t, time.Second, "report visible in /api/statuses", func() bool {
		s := statuses(t, f.user)["los-angeles"]
		return s.Online && s.PingMS != nil && *s.PingMS == 12.4 && s.Peers == 5 && s.TransferRx == 1048576
	})
	t.Logf("report visible in statuses after %v", took)
	eventually(t, 5*time.Second, "report visible in /api/history", func() bool {
		var h []map[string]any
		f.user.expect(200, "GET", "/api/history?server_id=los-angeles", nil).json(t, &h)
		return len(h) > 0 && h[len(h)-1]["ping_ms"] == 12.4
	})
	t.Logf("report visible in history after %v", time.Since(sent))
	q := statuses(t, f.user)["quiet"]
	if q.Online || q.ReportedAt != nil {
		t.Fatalf("a server that never reported: %+v", q)
	}

	// The fleet token reports for any server and registers unknown ones.
	fleetAgent := api.as(fleetToken)
	fleetAgent.expect(202, "POST", "/api/report", []map[string]any{
		{"server_id": "new-york", "ping_ms": 20.5, "peers": 0},
		{"server_id": "new-york", "ping_ms": nil, "peers": 0},
	})
	eventually(t, time.Second, "fleet-registered server in statuses", func() bool {
		_, ok := statuses(t, f.user)["new-york"]
		return ok
	})
	f.user.expect(400, "GET", "/api/history?from=yesterday", nil)
	f.user.expect(400, "GET", "/api/history?step=-5m", nil)
}

func stepPeers(t *testing.T, api *client, f *fleet) {
	type peer struct {
		ID                string  `json:"id"`
		Name              string  `json:"name"`
		Enabled           bool    `json:"enabled"`
		Address           string  `json:"address"`
		PublicKey         string  `json:"publicKey"`
		LatestHandshakeAt *string `json:"latestHandshakeAt"`
	}
	var alice peer
	f.admin.expect(201, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "alice-iphone"}).json(t, &alice)
	if alice.Address != "10.8.0.2" || !alice.Enabled || alice.PublicKey == "" || alice.ID == "" {
		t.Fatalf("created peer %+v", alice)
	}
	f.peerID, f.peerAddr = alice.ID, alice.Address
	f.admin.expect(409, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "alice-iphone"})
	f.admin.expect(400, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "bad name!"})
	f.admin.expect(400, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": strings.Repeat("a", 65)})
	f.admin.expect(404, "POST", "/api/wg-clients/nowhere", map[string]string{"name": "x"})
	f.admin.expect(404, "GET", "/api/wg-clients/nowhere", nil)

	var bob peer
	f.admin.expect(201, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "bob"}).json(t, &bob)
	if bob.Address != "10.8.0.3" {
		t.Fatalf("second peer at %s, want 10.8.0.3", bob.Address)
	}
	var list []peer
	f.admin.expect(200, "GET", "/api/wg-clients/los-angeles", nil).json(t, &list)
	if len(list) != 2 || list[0].LatestHandshakeAt != nil {
		t.Fatalf("peer list %+v", list)
	}

	base := "/api/wg-clients/los-angeles/" + alice.ID
	var got peer
	f.admin.expect(200, "POST", base+"/disable", nil).json(t, &got)
	if got.Enabled {
		t.Fatal("disable left the peer enabled")
	}
	f.admin.expect(200, "POST", base+"/disable", nil) // idempotent
	f.admin.expect(200, "POST", base+"/enable", nil).json(t, &got)
	if !got.Enabled {
		t.Fatal("enable left the peer disabled")
	}
	f.admin.expect(400, "POST", base+"/explode", nil)
	f.admin.expect(404, "POST", "/api/wg-clients/los-angeles/no-such-peer/enable", nil)

	cfg := f.admin.expect(200, "GET", base+"/config", nil)
	if ct := cfg.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("config content type %q", ct)
	}
	if cd := cfg.header.Get("Content-Disposition"); cd != `attachment; filename="los-angeles-alice-iphone.conf"` {
		t.Fatalf("config disposition %q", cd)
	}
	f.config = string(cfg.body)
	for _, want := range []string{"[Interface]\nPrivateKey = ", "Address = 10.8.0.2/32\n", "DNS = 1.1.1.1\n",
		"[Peer]\nPublicKey = " + f.serverKey + "\n", "PresharedKey = ", "Endpoint = vpn.example.com:51820\n",
		"AllowedIPs = 0.0.0.0/0, ::/0\n", "PersistentKeepalive = 25\n"} {
		if !strings.Contains(f.config, want) {
			t.Fatalf("config lacks %q:\n%s", want, f.config)
		}
	}
	qr := f.admin.expect(200, "GET", base+"/qrcode", nil)
	if ct := qr.header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Fatalf("qrcode content type %q", ct)
	}
	if text := decodeQRCode(t, qr.body); text != f.config {
		t.Fatalf("QR decodes to\n%q\nwant the config\n%q", text, f.config)
	}

	// Deleting frees the address: the next peer gets it back.
	bobURL := "/api/wg-clients/los-angeles/" + bob.ID
	f.admin.expect(http.StatusNoContent, "DELETE", bobURL, nil)
	f.admin.expect(404, "DELETE", bobURL, nil)
	f.admin.expect(404, "GET", bobURL+"/config", nil)
	var carol peer
	f.admin.expect(201, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "carol"}).json(t, &carol)
	if carol.Address != "10.8.0.3" {
		t.Fatalf("peer after a delete at %s, want the freed 10.8.0.3", carol.Address)
	}
	f.admin.expect(http.StatusNoContent, "DELETE", "/api/wg-clients/los-angeles/"+carol.ID, nil)
}

func stepAfterRestart(t *testing.T, api *client, f *fleet) {
	admin := api.as(api.login(adminEmail, adminPassword))
	api.login("viewer@example.com", "viewer-password")
	st := statuses(t, admin)
	if s := st["los-angeles"]; s.PingMS == nil || *s.PingMS != 12.4 {
		t.Fatalf("status after restart %+v", s)
	}
	_, ny := st["new-york"]
	if _, ah := st["after-hostile"]; !ny || !ah || len(st) != 5 {
		t.Fatalf("servers after restart: %v", st)
	}
	var h []map[string]any
	admin.expect(200, "GET", "/api/history?server_id=los-angeles", nil).json(t, &h)
	if len(h) == 0 {
		t.Fatal("history lost on restart")
	}
	cfg := admin.expect(200, "GET", "/api/wg-clients/los-angeles/"+f.peerID+"/config", nil)
	if string(cfg.body) != f.config {
		t.Fatalf("config after restart differs:\n%s", cfg.body)
	}
	var rows []map[string]any
	admin.expect(200, "GET", "/api/audit?limit=1000", nil).json(t, &rows)
	if len(rows) < f.auditRows+2 { // + the two logins above
		t.Fatalf("audit after restart has %d rows, had %d before", len(rows), f.auditRows)
	}
	if id := rows[len(rows)-1]["id"]; id != float64(1) {
		t.Fatalf("oldest audit row id %v, want 1", id)
	}
	admin.expect(201, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": fmt.Sprintf("after-restart-%d", len(rows))})
}
