package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// BenchmarkHistoryApplyReports1000 applies batches of 1000 new reports
// (two peers each) to a real ClickHouse; it skips without
// SENTRAZONE_TEST_CLICKHOUSE_URL.
func BenchmarkHistoryApplyReports1000(b *testing.B) {
	const n = 1000
	s := newTestHistoryStore(b)
	ctx := context.Background()
	var next int64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := testReports(b, next, n)
		next += n
		b.StartTimer()
		if err := s.ApplyReports(ctx, 0, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkHistory72h queries 72h of 20 servers reporting every 10s
// (518,400 reports) at a 6-minute step.
func BenchmarkHistory72h(b *testing.B) {
	s := newTestHistoryStore(b)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC)
	err := s.conn.Exec(ctx, `INSERT INTO reports (server_id, reported_at, ping_ms, ping_ok, peers,
			transfer_rx, transfer_tx, kafka_partition, kafka_offset)
		SELECT concat('srv-', toString(number % 20)), toDateTime(? + intDiv(number, 20) * 10),
			toFloat64(number % 7), toUInt8(number % 6 != 5), 1, number, number,
			toUInt16(number % 4), number
		FROM system.numbers LIMIT 518400`, t0.Unix())
	if err != nil {
		b.Fatalf("fill reports: %v", err)
	}
	q := projections.HistoryQuery{From: t0, To: t0.Add(72 * time.Hour), Step: 6 * time.Minute}
	for b.Loop() {
		got, err := s.History(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 20*720 {
			b.Fatalf("got %d points, want %d", len(got), 20*720)
		}
	}
}
