package api

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
)

const agentToken = "agent-secret-token"

// withAgents accepts agentToken for any server but "paris", which it
// forbids.
func withAgents(e *env) {
	e.reports.agents = map[string]ingest.Agent{agentToken: {Fleet: true}}
	e.reports.forbid = func(reports []domain.ServerReported) error {
		for _, r := range reports {
			if r.ServerID == "paris" {
				return fmt.Errorf("authorize: %w", ingest.ErrForbidden)
			}
		}
		return nil
	}
}

func (e *env) report(t *testing.T, body string) resp {
	t.Helper()
	return e.do(t, "POST", "/api/report", body, "Authorization", "Bearer "+agentToken)
}

func TestReportSingle(t *testing.T) {
	e := newEnv(t)
	withAgents(e)
	r := e.report(t, `{"server_id":"los-angeles","ping_ms":12.4,"peers":5,"transfer_rx":1048576,"transfer_tx":524288}`).want(t, 202)
	if string(r.body) != `{"accepted":1}` {
		t.Fatalf("body %s", r.body)
	}
	got := e.reports.submitted[0][0]
	if got.ServerID != "los-angeles" || got.PingMS != 12.4 || !got.PingOK || got.Peers != 5 ||
		got.TransferRx != 1048576 || got.TransferTx != 524288 || !got.ReportedAt.Equal(testNow) {
		t.Fatalf("submitted %+v", got)
	}
}

func TestReportFull(t *testing.T) {
	e := newEnv(t)
	withAgents(e)
	key := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	body := `[{"server_id":"a","ping_ms":null,"peers":0,"reported_at":"2026-05-06T13:00:00+01:00",
		"interface":{"public_key":"` + key + `","listen_port":51820},"applied_version":7,"future_field":1,
		"peer_stats":[{"public_key":"` + key + `","endpoint":"1.2.3.4:5","latest_handshake_at":"2026-05-06T11:00:00Z","transfer_rx":1,"transfer_tx":2}]},
		{"server_id":"b","ping_ms":0}]`
	e.report(t, body).want(t, 202)
	batch := e.reports.submitted[0]
	a, b := batch[0], batch[1]
	if a.PingOK || a.PingMS != 0 || !a.ReportedAt.Equal(testNow) || a.ReportedAt.Location() != time.UTC ||
		a.Interface == nil || a.Interface.ListenPort != 51820 || a.AppliedVersion != 7 ||
		len(a.PeerStats) != 1 || a.PeerStats[0].TransferTx != 2 || a.PeerStats[0].Endpoint != "1.2.3.4:5" {
		t.Fatalf("report a %+v", a)
	}
	if !b.PingOK || b.PingMS != 0 {
		t.Fatalf("ping 0 is a successful probe: %+v", b)
	}
}

func TestReportRejects(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxReportBatch = 3 })
	withAgents(e)
	cases := []struct {
		body   string
		status int
		code   string
	}{
		{`{"server_id":"Bad"}`, 400, CodeInvalid},
		{`{"server_id":""}`, 400, CodeInvalid},
		{`{}`, 400, CodeInvalid},
		{`{"server_id":"a","ping_ms":-1}`, 400, CodeInvalid},
		{`{"server_id":"a","peers":-1}`, 400, CodeInvalid},
		{`{"server_id":"a","peers":1.5}`, 400, CodeBadRequest},
		{`{"server_id":"a","transfer_rx":-5}`, 400, CodeBadRequest},
		{`{"server_id":"a","transfer_tx":0.5}`, 400, CodeBadRequest},
		{`{"server_id":"a","transfer_tx":1e30}`, 400, CodeBadRequest},
		{`{"server_id":"a","ping_ms":"fast"}`, 400, CodeBadRequest},
		{`{"server_id":"a","reported_at":"yesterday"}`, 400, CodeBadRequest},
		{`{"server_id":"a","interface":{"public_key":"short"}}`, 400, CodeInvalid},
		{`{"server_id":"a","peer_stats":[{"public_key":"x"}]}`, 400, CodeInvalid},
		{`{"server_id":"a"`, 400, CodeBadRequest},
		{`NaN`, 400, CodeBadRequest},
		{`[]`, 400, CodeBadRequest},
		{`"a"`, 400, CodeBadRequest},
		{`[{"server_id":"a"},{"server_id":"b"},{"server_id":"c"},{"server_id":"d"}]`, 413, CodePayloadTooLarge},
		{`{"server_id":"paris"}`, 403, CodeForbidden},
		{`{"server_id":"a","peers":2147483648}`, 400, CodeInvalid},
		{`{"server_id":"a","transfer_rx":9223372036854775808}`, 400, CodeInvalid},
		{`{"server_id":"a","peer_stats":[{"public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","endpoint":"1.2.3.4:5\u0000"}]}`, 400, CodeInvalid},
		{`{"server_id":"a","reported_at":"9999-01-01T00:00:00Z"}`, 400, CodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			e.report(t, c.body).want(t, c.status, c.code)
		})
	}
	r := e.report(t, `[{"server_id":"a"},{"server_id":"b","peers":-2}]`).want(t, 400, CodeInvalid)
	if m := r.message(t); !strings.HasPrefix(m, "report 1: ") {
		t.Errorf("batch error does not name the report: %q", m)
	}
	r = e.report(t, `{"server_id":"a","transfer_rx":-5}`).want(t, 400)
	if m := r.message(t); !strings.Contains(m, `"transfer_rx"`) {
		t.Errorf("type error does not name the field: %q", m)
	}
	if len(e.reports.submitted) != 0 {
		t.Fatalf("rejected reports were submitted: %v", e.reports.submitted)
	}
	// A wrong token is a 401 whatever the body holds.
	for _, body := range []string{`{"server_id":"Bad"}`, `{not json`, `{"server_id":"a"}`} {
		e.do(t, "POST", "/api/report", body, "Authorization", "Bearer wrong-token").want(t, 401, CodeUnauthorized)
	}
}

func TestReportAuth(t *testing.T) {
	e := newEnv(t)
	withAgents(e)
	body := `{"server_id":"a"}`
	e.do(t, "POST", "/api/report", body).want(t, 401, CodeUnauthorized)
	e.do(t, "POST", "/api/report", body, "Authorization", "Bearer ").want(t, 401, CodeUnauthorized)
	e.do(t, "POST", "/api/report", body, "Authorization", "Bearer wrong").want(t, 401, CodeUnauthorized)
	e.do(t, "POST", "/api/report", body, "Authorization", "Bearer "+e.token(domain.RoleAdmin)).want(t, 401, CodeUnauthorized)
	if strings.Contains(e.logs.String(), agentToken) {
		t.Error("an agent token was logged")
	}
}

func TestReportBodyLimit(t *testing.T) {
	e := newEnv(t)
	withAgents(e)
	// fiber's app.Test cannot see a 413 (the connection errors), so this
	// goes over a loopback connection. Only the headers are sent: the
	// server answers from Content-Length alone, and unsent body bytes
	// cannot race its close.
	base := serve(t, e)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/report HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", agentToken, 1<<20+1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	resp{status: res.StatusCode, header: res.Header, body: b}.want(t, 413, CodePayloadTooLarge)

	// Just under 1 MiB is fine, unknown fields and all.
	ok := `{"server_id":"a","pad":"` + strings.Repeat("x", 1<<20-100) + `"}`
	e.report(t, ok).want(t, 202)

	e.do(t, "POST", "/api/report", `{"server_id":"a"}`, "Authorization", "Bearer "+agentToken,
		"Content-Encoding", "gzip").want(t, 415, CodeUnsupportedMedia)
}

// BenchmarkDecodeReports measures the hot path's decode and validation
// of a 100-report batch.
func BenchmarkDecodeReports(b *testing.B) {
	h := &handlers{cfg: Config{MaxReportBatch: DefaultMaxReportBatch}}
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"server_id":"srv-%d","ping_ms":12.4,"peers":5,"transfer_rx":1048576,"transfer_tx":524288}`, i)
	}
	sb.WriteByte(']')
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		ws, err := h.decodeReports(body)
		if err != nil {
			b.Fatal(err)
		}
		for i := range ws {
			if _, err := domain.ValidateReport(ws[i].Report(), testNow); err != nil {
				b.Fatal(err)
			}
		}
	}
}
