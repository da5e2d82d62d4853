package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/api/qrtest"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/ingest/secrets"
)

func decodeQRCode(t *testing.T, svg []byte) string {
	t.Helper()
	text, err := qrtest.DecodeSVG(svg)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// configValue returns the value of "key = value" in a wg-quick config.
func configValue(t *testing.T, cfg, key string) string {
	for _, line := range strings.Split(cfg, "\n") {
		if k, v, ok := strings.Cut(line, " = "); ok && k == key {
			return v
		}
	}
	t.Fatalf("config has no %s", key)
	return ""
}

// stepSecretsStayOutOfTheLog reads the whole log: no peer key and no
// password appears in it; deleting a peer destroys its data key.
func stepSecretsStayOutOfTheLog(t *testing.T, srv *server, f *fleet) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secretsToHide := []string{configValue(t, f.config, "PrivateKey"), configValue(t, f.config, "PresharedKey"),
		adminPassword, "viewer-password"}
	for _, topic := range []string{eventstore.TopicEvents, eventstore.TopicReports} {
		bounds, err := srv.p.log.Bounds(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bounds {
			for off := b.Start; off < b.End; {
				batch, err := srv.p.log.Fetch(ctx, topic, b.Partition, off, time.Second)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range batch.Records {
					for _, s := range secretsToHide {
						if bytes.Contains(r.Value, []byte(s)) {
							t.Fatalf("%s/%d@%d holds a secret in plaintext", topic, r.Partition, r.Offset)
						}
					}
				}
				off = batch.Next
			}
		}
	}

	var dave struct {
		ID string `json:"id"`
	}
	f.admin.expect(201, "POST", "/api/wg-clients/los-angeles", map[string]string{"name": "dave"}).json(t, &dave)
	pv, ok, err := srv.p.state.Peer(ctx, "los-angeles", dave.ID)
	if err != nil || !ok {
		t.Fatalf("peer dave: %v %v", ok, err)
	}
	if _, err := srv.p.keys.GetKey(ctx, pv.Peer.KeyID); err != nil {
		t.Fatalf("dave's data key before delete: %v", err)
	}
	f.admin.expect(204, "DELETE", "/api/wg-clients/los-angeles/"+dave.ID, nil)
	if _, err := srv.p.keys.GetKey(ctx, pv.Peer.KeyID); !errors.Is(err, secrets.ErrKeyNotFound) {
		t.Fatalf("dave's data key after delete: %v, want it destroyed", err)
	}
}

type auditRow struct {
	ID        int64  `json:"id"`
	Actor     string `json:"actor"`
	Action    string `json:"action"`
	Target    string `json:"target"`
	IP        string `json:"ip"`
	CreatedAt string `json:"created_at"`
}

func stepAudit(t *testing.T, f *fleet) {
	anon := f.admin.as("")
	anon.expect(401, "POST", "/api/login", map[string]string{"email": "=HYPERLINK(\"x\")", "password": "whatever1"})

	var rows []auditRow
	f.admin.expect(200, "GET", "/api/audit?limit=1000", nil).json(t, &rows)
	if len(rows) < 20 {
		t.Fatalf("only %d audit rows", len(rows))
	}
	seen := map[string]bool{}
	for i, r := range rows {
		if i > 0 && rows[i-1].ID <= r.ID {
			t.Fatalf("audit not newest first at %d: %d then %d", i, rows[i-1].ID, r.ID)
		}
		seen[r.Action+" "+r.Target] = true
	}
	for _, want := range []string{"wg_client_created los-angeles/alice-iphone", "wg_client_disabled los-angeles/alice-iphone",
		"wg_client_deleted los-angeles/bob", "server_registered los-angeles", "server_registered new-york",
		"login_failed admin@example.com", "login_succeeded admin@example.com", "user_created viewer@example.com",
		"command_rejected los-angeles/alice-iphone", "login_failed nobody@example.com"} {
		if !seen[want] {
			t.Errorf("audit lacks %q", want)
		}
	}
	var page []auditRow
	f.admin.expect(200, "GET", "/api/audit?limit=2&offset=1", nil).json(t, &page)
	if len(page) != 2 || page[0].ID != rows[1].ID || page[1].ID != rows[2].ID {
		t.Fatalf("limit/offset page %+v", page)
	}
	var failed []auditRow
	f.admin.expect(200, "GET", "/api/audit?action=login_failed&limit=1000", nil).json(t, &failed)
	// 3 in stepAuth, 2 in stepHostileInputs, 1 above.
	if len(failed) != 6 {
		t.Fatalf("%d login_failed rows, want 6", len(failed))
	}
	for _, q := range []string{"limit=0", "limit=1001", "offset=-1", "limit=abc", "from=yesterday"} {
		f.admin.expect(400, "GET", "/api/audit?"+q, nil)
	}

	exp := f.admin.expect(200, "GET", "/api/audit/export", nil)
	if ct := exp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("export content type %q", ct)
	}
	if cd := exp.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Fatalf("export disposition %q", cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(exp.body)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if strings.Join(recs[0], ",") != "id,actor,action,target,ip,created_at" {
		t.Fatalf("CSV header %v", recs[0])
	}
	if len(recs)-1 != len(rows) {
		t.Fatalf("CSV has %d rows, the audit log %d", len(recs)-1, len(rows))
	}
	if recs[1][1] != `'=HYPERLINK("x")` {
		t.Fatalf("formula not neutralised: %q", recs[1][1])
	}
	eventually(t, 5*time.Second, "audit_exported recorded", func() bool {
		var last []auditRow
		f.admin.expect(200, "GET", "/api/audit?limit=1", nil).json(t, &last)
		return len(last) == 1 && last[0].Action == "audit_exported"
	})
	f.auditRows = len(rows) + 1
}
