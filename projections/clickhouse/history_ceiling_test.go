package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// BenchmarkHistoryCeilingInsert1000 is the raw ceiling of
// BenchmarkHistoryApplyReports1000: the same rows (1000 reports, two peers
// each) inserted straight into the same tables with clickhouse-go, one
// batch into reports and one into peer_traffic, without reading or
// writing projection offsets. It skips without
// SENTRAZONE_TEST_CLICKHOUSE_URL.
func BenchmarkHistoryCeilingInsert1000(b *testing.B) {
	const n = 1000
	s := newTestHistoryStore(b)
	ctx := context.Background()
	var next int64
	for b.Loop() {
		b.StopTimer()
		batch := testReports(b, next, n)
		next += n
		b.StartTimer()
		if err := rawInsert(ctx, s, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "reports/s")
}

// rawInsert writes the rows of batch with plain clickhouse-go batches.
func rawInsert(ctx context.Context, s *HistoryStore, batch []projections.Decoded) error {
	rb, err := s.conn.PrepareBatch(ctx, sqlInsertReports)
	if err != nil {
		return err
	}
	pb, err := s.conn.PrepareBatch(ctx, sqlInsertPeerTraffic)
	if err != nil {
		return err
	}
	for _, d := range batch {
		r, _ := projections.ReportOf(d.Event)
		at := r.ReportedAt.UTC()
		if err := rb.Append(r.ServerID, at, r.PingMS, boolUInt8(r.PingOK), uint32(r.Peers),
			r.TransferRx, r.TransferTx, uint16(d.Partition), uint64(d.Offset)); err != nil {
			return err
		}
		for _, ps := range r.PeerStats {
			hs := ps.LatestHandshakeAt.UTC()
			if hs.IsZero() {
				hs = time.Unix(0, 0).UTC()
			}
			if err := pb.Append(r.ServerID, ps.PublicKey, at, hs, ps.TransferRx, ps.TransferTx,
				uint16(d.Partition), uint64(d.Offset)); err != nil {
				return err
			}
		}
	}
	if err := rb.Send(); err != nil {
		return err
	}
	return pb.Send()
}
