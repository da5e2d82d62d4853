package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// auditRows makes n rows, newest (highest id) first.
func auditRows(n int) []projections.AuditRow {
	rows := make([]projections.AuditRow, n)
	for i := range rows {
		id := int64(n - i)
		rows[i] = projections.AuditRow{
			ID: id, Actor: "admin@example.com", Action: "wg_client_created",
			Target: fmt.Sprintf("los-angeles/peer-%d", id), IP: "1.2.3.4",
			CreatedAt: testNow.Add(time.Duration(id) * time.Second),
		}
	}
	return rows
}

func TestAuditList(t *testing.T) {
	e := newEnv(t)
	e.state.audit = auditRows(120)
	r := e.as(t, domain.RoleAdmin, "GET", "/api/audit", "").want(t, 200)
	var got []map[string]any
	r.decode(t, &got)
	if len(got) != auditDefaultLimit {
		t.Fatalf("%d rows, want the default %d", len(got), auditDefaultLimit)
	}
	if keysOf(got[0]) != "action,actor,created_at,id,ip,target" {
		t.Fatalf("fields %s", keysOf(got[0]))
	}
	if got[0]["id"] != 120.0 || got[0]["created_at"] != "2026-05-06T12:02:00Z" || got[0]["target"] != "los-angeles/peer-120" {
		t.Fatalf("first row %v", got[0])
	}

	q := "/api/audit?limit=1000&offset=100&actor=root@example.com&action=login_failed" +
		"&from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z"
	e.as(t, domain.RoleAdmin, "GET", q, "").want(t, 200).decode(t, &got)
	la := e.state.lastAudit
	if len(got) != 20 || la.limit != 1000 || la.offset != 100 || la.f.Actor != "root@example.com" ||
		la.f.Action != "login_failed" || !la.f.From.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) ||
		!la.f.To.Equal(time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("%d rows, store asked %+v", len(got), la)
	}
	for _, qs := range []string{
		"limit=0", "limit=1001", "limit=-1", "limit=ten", "offset=-1", "offset=x", "offset=1.5",
		"from=yesterday", "to=2026-13-01T00:00:00Z", "from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z",
	} {
		e.as(t, domain.RoleAdmin, "GET", "/api/audit?"+qs, "").want(t, 400, CodeBadRequest)
	}
	e.state.audit = nil
	if b := e.as(t, domain.RoleAdmin, "GET", "/api/audit?offset=5", "").want(t, 200).body; string(b) != "[]" {
		t.Errorf("empty page: %s", b)
	}
}
