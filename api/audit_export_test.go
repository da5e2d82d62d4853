package api

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// waitExport polls until an audit export was recorded.
func waitExport(t *testing.T, e *env) exportCall {
	t.Helper()
	if !poll(10*time.Second, func() bool { return len(e.cmd.exportCalls()) > 0 }) {
		t.Fatal("audit export was never recorded")
	}
	calls := e.cmd.exportCalls()
	if len(calls) > 1 {
		t.Fatalf("export recorded %d times", len(calls))
	}
	return calls[0]
}

// poll checks cond every millisecond until it holds or the timeout ends.
func poll(timeout time.Duration, cond func() bool) bool {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			return cond()
		}
	}
	return true
}

func TestAuditExportCSV(t *testing.T) {
	e := newEnv(t)
	e.state.audit = []projections.AuditRow{
		{ID: 3, Actor: "=cmd|' /C calc'!A0", Action: "+sum", Target: "-1+2", IP: "@home", CreatedAt: testNow},
		{ID: 2, Actor: "\tlead", Action: "\rcr", Target: `quote "x", comma`, IP: "::1", CreatedAt: testNow.Add(-time.Second)},
		{ID: 1, Actor: "plain@example.com", Action: "login_succeeded", Target: "a=b", IP: "1.2.3.4",
			CreatedAt: testNow.Add(-1500 * time.Millisecond)},
	}
	r := e.as(t, domain.RoleAdmin, "GET", "/api/audit/export?actor=x&from=2026-05-01T00:00:00Z", "").want(t, 200)
	for h, want := range map[string]string{
		"Content-Type":        "text/csv; charset=utf-8",
		"Content-Disposition": `attachment; filename="audit-20260506T120000Z.csv"`,
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, r.body)
	}
	want := [][]string{
		{"id", "actor", "action", "target", "ip", "created_at"},
		{"3", "'=cmd|' /C calc'!A0", "'+sum", "'-1+2", "'@home", "2026-05-06T12:00:00Z"},
		{"2", "'\tlead", "'\rcr", `quote "x", comma`, "::1", "2026-05-06T11:59:59Z"},
		{"1", "plain@example.com", "login_succeeded", "a=b", "1.2.3.4", "2026-05-06T11:59:58.5Z"},
	}
	if fmt.Sprintf("%q", recs) != fmt.Sprintf("%q", want) {
		t.Fatalf("CSV\n%q\nwant\n%q", recs, want)
	}
	call := waitExport(t, e)
	if call.rows != 3 || call.actor.Email != "admin@example.com" ||
		!maps.Equal(call.filters, map[string]string{"actor": "x", "from": "2026-05-01T00:00:00Z"}) {
		t.Fatalf("recorded %+v", call)
	}
}

func TestAuditExportValidatesFirst(t *testing.T) {
	e := newEnv(t)
	r := e.as(t, domain.RoleAdmin, "GET", "/api/audit/export?from=nope", "").want(t, 400, CodeBadRequest)
	if r.header.Get("Content-Disposition") != "" {
		t.Error("an error carries the attachment header")
	}
	if len(e.cmd.exportCalls()) != 0 {
		t.Error("a rejected export was recorded")
	}
}

// serve runs the app on a loopback listener for tests that need a real
// connection.
func serve(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

func TestAuditExportStreams100kRows(t *testing.T) {
	const total = 100_000
	e := newEnv(t)
	var received atomic.Int64
	e.state.export = func(ctx context.Context, _ projections.AuditFilter, fn func(projections.AuditRow) error) error {
		for i := range total {
			if i == total/2 {
				// Rows must already be on the client: nothing is held back.
				if !poll(10*time.Second, func() bool { return received.Load() > 0 }) {
					return errors.New("client received nothing after half the rows: export is not streamed")
				}
			}
			row := projections.AuditRow{ID: int64(total - i), Actor: "a", Action: "x", Target: "t", IP: "1.2.3.4", CreatedAt: testNow}
			if err := fn(row); err != nil {
				return err
			}
		}
		return nil
	}
	base := serve(t, e)
	req, _ := http.NewRequest("GET", base+"/api/audit/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.token(domain.RoleAdmin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	cr := csv.NewReader(res.Body)
	if _, err := cr.Read(); err != nil {
		t.Fatalf("header: %v", err)
	}
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("after %d rows: %v", received.Load(), err)
		}
		received.Add(1)
	}
	if received.Load() != total {
		t.Fatalf("%d rows, want %d", received.Load(), total)
	}
	if call := waitExport(t, e); call.rows != total {
		t.Fatalf("recorded %d rows, want %d", call.rows, total)
	}
}

func TestAuditExportRecordedWhenClientLeaves(t *testing.T) {
	const endless = 50_000_000
	e := newEnv(t)
	e.state.export = func(ctx context.Context, _ projections.AuditFilter, fn func(projections.AuditRow) error) error {
		for i := range endless {
			if err := fn(projections.AuditRow{ID: int64(i), Actor: "a", Action: "x", CreatedAt: testNow}); err != nil {
				return err
			}
		}
		return nil
	}
	base := serve(t, e)
	req, _ := http.NewRequest("GET", base+"/api/audit/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.token(domain.RoleAdmin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(res.Body)
	for range 1000 {
		if _, err := cr.Read(); err != nil {
			t.Fatal(err)
		}
	}
	res.Body.Close()
	call := waitExport(t, e)
	if call.rows < 999 || call.rows >= endless {
		t.Fatalf("recorded %d rows after the client left", call.rows)
	}
	if !strings.Contains(e.logs.String(), "audit export cut short") {
		t.Error("the cut was not logged")
	}
}

func TestAuditExportStoreFailureTruncatesVisibly(t *testing.T) {
	e := newEnv(t)
	e.state.export = func(ctx context.Context, _ projections.AuditFilter, fn func(projections.AuditRow) error) error {
		for i := range 2000 {
			if err := fn(projections.AuditRow{ID: int64(i), CreatedAt: testNow}); err != nil {
				return err
			}
		}
		return errors.New("disk on fire")
	}
	base := serve(t, e)
	req, _ := http.NewRequest("GET", base+"/api/audit/export", nil)
	req.Header.Set("Authorization", "Bearer "+e.token(domain.RoleAdmin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.ReadAll(res.Body); err == nil {
		t.Fatal("a failed export read as a complete file")
	}
	if call := waitExport(t, e); call.rows != 2000 {
		t.Fatalf("recorded %d rows, want 2000", call.rows)
	}
}

func TestAuditExportHead(t *testing.T) {
	e := newEnv(t)
	e.state.audit = auditRows(3)
	r := e.as(t, domain.RoleAdmin, "HEAD", "/api/audit/export", "").want(t, 200)
	if r.header.Get("Content-Type") != "text/csv; charset=utf-8" || len(r.body) != 0 {
		t.Fatalf("HEAD: %v %q", r.header, r.body)
	}
	if len(e.cmd.exportCalls()) != 0 {
		t.Error("HEAD recorded an export")
	}
}
