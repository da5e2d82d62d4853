package api

import (
	"context"
	"net"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
)

// discardReports is a fleet-token Reports that keeps nothing, so that a
// benchmark measures the HTTP path alone.
type discardReports struct{ n int }

func (d *discardReports) Authenticate(_ context.Context, token string) (ingest.Agent, error) {
	if token != agentToken {
		return ingest.Agent{}, ingest.ErrUnauthenticated
	}
	return ingest.Agent{Fleet: true}, nil
}

func (d *discardReports) Authorize(context.Context, ingest.Agent, string, []domain.ServerReported) error {
	return nil
}

func (d *discardReports) Submit(_ context.Context, reports []domain.ServerReported) error {
	d.n += len(reports)
	return nil
}

// BenchmarkReportHandler runs one single-report POST /api/report through
// the whole app (middleware, auth, decode, validation, answer) per
// iteration, without a network: the server's own cost per request on
// the busiest path, and its allocations.
func BenchmarkReportHandler(b *testing.B) {
	dr := &discardReports{}
	e := newEnv(b, func(c *Config) { c.Reports = dr })
	handler := e.app.Handler()
	body := []byte(`{"server_id":"srv-0001","ping_ms":12.4,"ping_ok":true,"peers":5,"transfer_rx":1048576,"transfer_tx":524288}`)
	var req fasthttp.Request
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI("/api/report")
	req.Header.SetHost("cp.example")
	req.Header.SetContentType("application/json")
	req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+agentToken)
	req.SetBody(body)
	addr := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 40000}
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		ctx.Init(&req, addr, nil)
		handler(&ctx)
		if ctx.Response.StatusCode() != fasthttp.StatusAccepted {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
	if dr.n != b.N {
		b.Fatalf("submitted %d reports, want %d", dr.n, b.N)
	}
}
