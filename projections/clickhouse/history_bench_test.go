package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// BenchmarkHistoryApplyReports1000 applies batches of 1000 new reports
// (two peers each) to a real ClickHouse; it skips without
// SENTRAZONE_TEST_CLICKHOUSE_URL. The store's clock is at the first
// report, so that every report is live, as agents' are: none is late.
func BenchmarkHistoryApplyReports1000(b *testing.B) {
	const n = 1000
	s := newTestHistoryStore(b)
	s.now = func() time.Time { return time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC) }
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
// (518,400 reports), rolled up, at the default 10-minute step (rollups)
// and at a 7-minute step (reports only).
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
	// Roll up as the closer does after flushes, up to the end of the data.
	s.now = func() time.Time { return t0.Add(72*time.Hour + rollupGrace) }
	for range 72*3600/closeSpan + 1 {
		s.closeRollups()
	}
	end := uint64(t0.Add(72 * time.Hour).Unix())
	if p, err := s.plan(ctx, 10*time.Minute, uint64(t0.Unix()), end); err != nil || p.width != 600 || p.rollTo != end {
		b.Fatalf("plan of the 10-minute step: %+v, %v; want rollups of width 600 up to %d", p, err, end)
	}
	for _, step := range []time.Duration{10 * time.Minute, 7 * time.Minute} {
		b.Run(step.String(), func(b *testing.B) {
			q := projections.HistoryQuery{From: t0, To: t0.Add(72 * time.Hour), Step: step}
			want := 20 * int((72*time.Hour+step-1)/step)
			for b.Loop() {
				got, err := s.History(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != want {
					b.Fatalf("got %d points, want %d", len(got), want)
				}
			}
		})
	}
}
