package api

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Large answers are compressed for clients that ask, with the encoding
// they prefer among those offered, and come back byte for byte; other
// clients, and the streamed CSV export, get them as they are.
func TestAnswersAreCompressedForClientsThatAsk(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	for i := range 2000 {
		e.state.statuses = append(e.state.statuses, projections.StatusView{ServerID: fmt.Sprintf("srv-%04d", i),
			Reported: true, PingMS: 12.5, PingOK: true, Peers: 3, TransferRx: 1 << 20, ReportedAt: now})
	}
	e.state.audit = auditRows(300)
	for path, role := range map[string]domain.Role{"/api/statuses": domain.RoleUser, "/api/audit?limit=300": domain.RoleAdmin} {
		auth := "Bearer " + e.token(role)
		plain := e.do(t, "GET", path, "", "Authorization", auth).want(t, 200)
		if enc := plain.header.Get("Content-Encoding"); enc != "" {
			t.Fatalf("%s without Accept-Encoding: Content-Encoding %q", path, enc)
		}
		for _, c := range []struct {
			accept, want string
			open         func(io.Reader) (io.Reader, error)
		}{
			{"gzip", "gzip", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
			{"gzip, deflate, br", "br", func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
		} {
			r := e.do(t, "GET", path, "", "Authorization", auth, "Accept-Encoding", c.accept).want(t, 200)
			if enc := r.header.Get("Content-Encoding"); enc != c.want {
				t.Fatalf("%s, Accept-Encoding %q: Content-Encoding %q, want %q", path, c.accept, enc, c.want)
			}
			if v := r.header.Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
				t.Errorf("%s as %s: Vary %q, want Accept-Encoding named", path, c.want, v)
			}
			if len(r.body)*4 > len(plain.body) {
				t.Errorf("%s as %s: %d bytes from %d", path, c.want, len(r.body), len(plain.body))
			}
			rd, err := c.open(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rd)
			if err != nil {
				t.Fatalf("%s as %s: %v", path, c.want, err)
			}
			if !bytes.Equal(got, plain.body) {
				t.Fatalf("%s as %s: decompressed answer differs from the plain one", path, c.want)
			}
		}
	}
	r := e.do(t, "GET", "/api/audit/export", "", "Authorization", "Bearer "+e.token(domain.RoleAdmin),
		"Accept-Encoding", "gzip").want(t, 200)
	if enc := r.header.Get("Content-Encoding"); enc != "" || !strings.HasPrefix(string(r.body), "id,") {
		t.Fatalf("export: Content-Encoding %q, body starts %q", enc, r.body[:min(len(r.body), 20)])
	}
}
