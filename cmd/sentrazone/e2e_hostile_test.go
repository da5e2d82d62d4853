package main

import (
	"net/url"
	"testing"
	"time"
)

// stepHostileInputs sends what no store can hold (NUL, invalid UTF-8),
// counters past the stores' integers and a runaway clock: each is a 4xx
// or recorded harmlessly, and the projections keep going (on Postgres a
// NUL in a text column would fail the batch for good).
func stepHostileInputs(t *testing.T, api *client, f *fleet) {
	// A failed login is recorded with the email as sent, made plain.
	api.expect(401, "POST", "/api/login", `{"email":"mallory\u0000@example.com","password":"whatever1"}`)
	api.expect(401, "POST", "/api/login", "{\"email\":\"bad\xffutf8@example.com\",\"password\":\"whatever1\"}")
	f.admin.expect(400, "POST", "/api/servers", `{"id":"nul\u0000","endpoint":"vpn.example.com:51820"}`)
	f.admin.expect(400, "POST", "/api/servers", `{"id":"ok","name":"nul\u0000","endpoint":"vpn.example.com:51820"}`)
	f.admin.expect(400, "POST", "/api/wg-clients/los-angeles", `{"name":"nul\u0000"}`)
	f.admin.expect(400, "GET", "/api/audit?actor=%00", nil)
	f.admin.expect(400, "GET", "/api/audit/export?action=%ff", nil)
	api.as("szagent.\xff.secret").expect(401, "POST", "/api/report", map[string]any{"server_id": "los-angeles"})

	fleetAgent := api.as(fleetToken)
	key := wgPublicKey(t)
	for _, rep := range []string{
		`{"server_id":"los-angeles","peers":2147483648}`,
		`{"server_id":"los-angeles","transfer_rx":9223372036854775808}`,
		`{"server_id":"los-angeles","peer_stats":[{"public_key":"` + key + `","endpoint":"1.2.3.4:5\u0000"}]}`,
		`{"server_id":"los-angeles","reported_at":"9999-01-01T00:00:00Z"}`,
	} {
		fleetAgent.expect(400, "POST", "/api/report", rep)
	}

	// Writes and reports still go through.
	f.admin.expect(201, "POST", "/api/servers", map[string]string{"id": "after-hostile", "endpoint": "vpn.example.com:51820"})
	fleetAgent.expect(202, "POST", "/api/report", map[string]any{"server_id": "after-hostile", "ping_ms": 3.5})
	eventually(t, 5*time.Second, "report after hostile inputs in /api/statuses", func() bool {
		s := statuses(t, f.user)["after-hostile"]
		return s.PingMS != nil && *s.PingMS == 3.5
	})
	var rows []auditRow
	q := url.Values{"actor": {"mallory\uFFFD@example.com"}, "action": {"login_failed"}}
	f.admin.expect(200, "GET", "/api/audit?"+q.Encode(), nil).json(t, &rows)
	if len(rows) != 1 {
		t.Fatalf("the failed login with a NUL in its email: %d audit rows, want 1: %+v", len(rows), rows)
	}
	// Time filters: the row is inside a window that starts at its time and
	// outside one that ends before it.
	at, err := time.Parse(time.RFC3339Nano, rows[0].CreatedAt)
	if err != nil {
		t.Fatalf("created_at %q: %v", rows[0].CreatedAt, err)
	}
	in := url.Values{"actor": q["actor"], "from": {at.Format(time.RFC3339Nano)}, "to": {at.Add(time.Second).Format(time.RFC3339Nano)}}
	before := url.Values{"actor": q["actor"], "to": {at.Add(-time.Second).Format(time.RFC3339Nano)}}
	var got []auditRow
	if f.admin.expect(200, "GET", "/api/audit?"+in.Encode(), nil).json(t, &got); len(got) != 1 {
		t.Fatalf("from=created_at: %d rows, want 1", len(got))
	}
	if f.admin.expect(200, "GET", "/api/audit?"+before.Encode(), nil).json(t, &got); len(got) != 0 {
		t.Fatalf("to before created_at: %d rows, want 0", len(got))
	}
}

// stepLimits fills a /30 (one client address) and then the login limit:
// 409 full, then 429 with Retry-After. It runs last before the restart,
// which forgets the limiter's buckets.
func stepLimits(t *testing.T, api *client, f *fleet) {
	f.admin.expect(201, "POST", "/api/servers", map[string]string{"id": "tiny", "endpoint": "tiny.example.com:51820", "subnet": "10.9.0.0/30"})
	f.admin.expect(201, "POST", "/api/wg-clients/tiny", map[string]string{"name": "only-one"})
	if code := f.admin.expect(409, "POST", "/api/wg-clients/tiny", map[string]string{"name": "one-too-many"}).errorCode(t); code != "full" {
		t.Fatalf("full subnet: code %q, want full", code)
	}
	refused, failed := 0, 0
	for i := range 20 {
		r := api.do("POST", "/api/login", map[string]string{"email": "throttled@example.com", "password": "wrong-password"})
		if r.status == 401 {
			failed++
			continue
		}
		if r.status != 429 || r.errorCode(t) != "rate_limited" || r.header.Get("Retry-After") == "" {
			t.Fatalf("login attempt %d: status %d, Retry-After %q, body %s; want 429 rate_limited with Retry-After",
				i, r.status, r.header.Get("Retry-After"), r.body)
		}
		refused++
		if refused == 3 {
			break
		}
	}
	if refused < 3 {
		t.Fatal("20 failed logins in a row were never rate limited")
	}
	// Each attempt is in the audit log, the refused ones once per stretch:
	// the 401s, then one for the three 429s.
	var rows []auditRow
	f.admin.expect(200, "GET", "/api/audit?action=login_failed&actor=throttled%40example.com", nil).json(t, &rows)
	if len(rows) != failed+1 {
		t.Fatalf("%d login_failed rows for the throttled email, want %d: %d refused by password, 1 for the throttling",
			len(rows), failed+1, failed)
	}
}
