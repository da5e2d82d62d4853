package ingest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// BenchmarkSubmit500 submits batches of 500 reports with two peers each
// to the embedded broker (its fsync and the projections running beside
// it are in the figures too).
func BenchmarkSubmit500(b *testing.B) {
	h := newHarness(b)
	ctx := testCtx(b)
	at := time.Now().UTC()
	batch := make([]domain.ServerReported, 500)
	for i := range batch {
		batch[i] = domain.ServerReported{ServerID: fmt.Sprintf("server-%03d", i), PingMS: 12.5, PingOK: true, Peers: 2,
			TransferRx: 1 << 30, TransferTx: 1 << 29, ReportedAt: at,
			PeerStats: []domain.PeerStat{
				{PublicKey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", Endpoint: "198.51.100.1:51820", LatestHandshakeAt: at, TransferRx: 1 << 20},
				{PublicKey: "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", Endpoint: "198.51.100.2:51820", LatestHandshakeAt: at, TransferTx: 1 << 20},
			}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := h.reports.Submit(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
