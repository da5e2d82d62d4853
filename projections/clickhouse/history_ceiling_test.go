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

// rawInsert writes the rows of batch with plain clickhouse-go batches,
// a whole column at a time (clickhouse-go's fastest way in).
func rawInsert(ctx context.Context, s *HistoryStore, batch []projections.Decoded) error {
	var servers, peerServers, keys []string
	var at, peerAt, handshakes []time.Time
	var ping []float64
	var pingOK []uint8
	var peers []uint32
	var rx, tx, peerRx, peerTx, offsets, peerOffsets []uint64
	var parts, peerParts []uint16
	for _, d := range batch {
		r, _ := projections.ReportOf(d.Event)
		t := r.ReportedAt.UTC()
		servers, at, ping, pingOK = append(servers, r.ServerID), append(at, t), append(ping, r.PingMS), append(pingOK, boolUInt8(r.PingOK))
		peers, rx, tx = append(peers, uint32(r.Peers)), append(rx, r.TransferRx), append(tx, r.TransferTx)
		parts, offsets = append(parts, uint16(d.Partition)), append(offsets, uint64(d.Offset))
		for _, ps := range r.PeerStats {
			hs := ps.LatestHandshakeAt.UTC()
			if hs.IsZero() {
				hs = time.Unix(0, 0).UTC()
			}
			peerServers, keys = append(peerServers, r.ServerID), append(keys, ps.PublicKey)
			peerAt, handshakes = append(peerAt, t), append(handshakes, hs)
			peerRx, peerTx = append(peerRx, ps.TransferRx), append(peerTx, ps.TransferTx)
			peerParts, peerOffsets = append(peerParts, uint16(d.Partition)), append(peerOffsets, uint64(d.Offset))
		}
	}
	if err := sendColumns(ctx, s, sqlInsertReports, servers, at, ping, pingOK, peers, rx, tx, parts, offsets); err != nil {
		return err
	}
	return sendColumns(ctx, s, sqlInsertPeerTraffic, peerServers, keys, peerAt, handshakes, peerRx, peerTx, peerParts, peerOffsets)
}

func sendColumns(ctx context.Context, s *HistoryStore, query string, cols ...any) error {
	b, err := s.conn.PrepareBatch(ctx, query)
	if err != nil {
		return err
	}
	for i, c := range cols {
		if err := b.Column(i).Append(c); err != nil {
			return err
		}
	}
	return b.Send()
}
