package clickhouse

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sentrazone/sentrazone/projections"
)

// partial is one server's bucket as read from reports or rollups: what it
// takes to combine parts of a bucket read from both.
type partial struct {
	server  string
	bucket  uint64 // start, in nanoseconds since the epoch
	pings   uint64 // reports whose ping succeeded
	pingSum float64
	lastAt  uint32 // time of the report the counters are from
	rx, tx  uint64
}

// sqlReportBuckets buckets reports. FINAL collapses reports stored twice
// (a batch re-delivered before its offset was written) before aggregation;
// on 18.16 it measured faster than a GROUP BY or LIMIT BY subquery. The
// bucket is computed in nanoseconds, so any Step > 0 aligns to the epoch
// exactly like the memory store. On equal times the later log position
// supplies the counters.
const sqlReportBuckets = `SELECT server_id,
	intDiv(toUInt64(reported_at) * 1000000000, ?) * ? AS bucket,
	countIf(ping_ok = 1), sumIf(ping_ms, ping_ok = 1), toUInt32(max(reported_at)),
	argMax(transfer_rx, (reported_at, kafka_partition, kafka_offset)),
	argMax(transfer_tx, (reported_at, kafka_partition, kafka_offset))
FROM reports FINAL
WHERE reported_at >= toDateTime(?) AND reported_at <= toDateTime(?)%s
GROUP BY server_id, bucket
ORDER BY server_id, bucket`

// sqlRollupRows reads rollups of one width whose buckets are the step's.
// Neither FINAL nor ORDER BY: on 18.16 each costs more than the read
// itself, and rollupRows does both in Go.
const sqlRollupRows = `SELECT server_id, toUInt32(bucket), n, pings, ping_sum, toUInt32(last_at), rx, tx
FROM report_rollups
WHERE width = ? AND bucket >= toDateTime(?) AND bucket < toDateTime(?)%s`

// sqlRollupBuckets combines rollups of one width into buckets of a step
// that is a multiple of it. Buckets of one width never share a last_at.
const sqlRollupBuckets = `SELECT server_id, intDiv(toUInt64(bucket) * 1000000000, ?) * ? AS b,
	sum(pings), sum(ping_sum), toUInt32(max(last_at)), argMax(rx, last_at), argMax(tx, last_at)
FROM report_rollups FINAL
WHERE width = ? AND bucket >= toDateTime(?) AND bucket < toDateTime(?)%s
GROUP BY server_id, b
ORDER BY server_id, b`

// readReports reads the buckets of the reports in the seconds [from, to):
// a short stretch as rows, bucketed here, a longer one bucketed by
// ClickHouse.
func (s *HistoryStore) readReports(ctx context.Context, q projections.HistoryQuery, from, to uint64) ([]partial, error) {
	if to-from <= edgeSpan {
		return s.readReportRows(ctx, q, from, to)
	}
	return s.readReportBuckets(ctx, q, from, to)
}

// readReportBuckets has ClickHouse bucket the reports in [from, to).
func (s *HistoryStore) readReportBuckets(ctx context.Context, q projections.HistoryQuery, from, to uint64) ([]partial, error) {
	filter, ids := serverFilter(q.ServerIDs)
	step := uint64(q.Step)
	// to-1 is the last second in range; it fits a DateTime.
	args := append([]any{step, step, from, to - 1}, ids...)
	rows, err := s.conn.Query(ctx, fmt.Sprintf(sqlReportBuckets, filter), args...)
	if err != nil {
		return nil, fmt.Errorf("query reports: %w", err)
	}
	return scanPartials(rows, "reports")
}

// readRollups reads the buckets plan assigns to rollups.
func (s *HistoryStore) readRollups(ctx context.Context, q projections.HistoryQuery, plan historyPlan) ([]partial, error) {
	filter, ids := serverFilter(q.ServerIDs)
	if q.Step == time.Duration(plan.width)*time.Second {
		rows, err := s.conn.Query(ctx, fmt.Sprintf(sqlRollupRows, filter),
			append([]any{plan.width, plan.rollFrom, plan.rollTo}, ids...)...)
		if err != nil {
			return nil, fmt.Errorf("query report_rollups: %w", err)
		}
		return scanRollupRows(rows, plan.rollFrom, plan.width, len(ids)*int((plan.rollTo-plan.rollFrom)/uint64(plan.width)))
	}
	step := uint64(q.Step)
	rows, err := s.conn.Query(ctx, fmt.Sprintf(sqlRollupBuckets, filter),
		append([]any{step, step, plan.width, plan.rollFrom, plan.rollTo}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("query report_rollups: %w", err)
	}
	return scanPartials(rows, "report_rollups")
}

// scanPartials reads and closes rows of partials.
func scanPartials(rows driver.Rows, table string) ([]partial, error) {
	defer func() { _ = rows.Close() }()
	var (
		out []partial
		p   partial // outside the loop: Scan makes it escape
	)
	for rows.Next() {
		if err := rows.Scan(&p.server, &p.bucket, &p.pings, &p.pingSum, &p.lastAt, &p.rx, &p.tx); err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

// mergePartials merges lists sorted by server, then bucket, into history
// points, combining the parts of a bucket that several hold. Lists are
// merged two at a time in order, the last one straight into the points,
// so the longest should come last: it is then read once.
func mergePartials(lists [][]partial) []projections.HistoryPoint {
	var acc []partial
	for _, l := range lists[:len(lists)-1] {
		next := make([]partial, 0, len(acc)+len(l))
		mergeEach(acc, l, func(p partial) { next = append(next, p) })
		acc = next
	}
	last := lists[len(lists)-1]
	pb := newPointBuilder(len(acc) + len(last))
	mergeEach(acc, last, pb.add)
	return pb.out
}

// mergeEach calls emit for each bucket of a and b in order, once, with
// the parts of a bucket both hold combined.
func mergeEach(a, b []partial, emit func(partial)) {
	for len(a) > 0 && len(b) > 0 {
		switch c := cmpPartial(a[0], b[0]); {
		case c < 0:
			emit(a[0])
			a = a[1:]
		case c > 0:
			emit(b[0])
			b = b[1:]
		default:
			emit(a[0].combine(b[0]))
			a, b = a[1:], b[1:]
		}
	}
	for _, p := range a {
		emit(p)
	}
	for _, p := range b {
		emit(p)
	}
}

func cmpPartial(a, b partial) int {
	if c := strings.Compare(a.server, b.server); c != 0 {
		return c
	}
	switch {
	case a.bucket < b.bucket:
		return -1
	case a.bucket > b.bucket:
		return 1
	}
	return 0
}

// combine adds two parts of one bucket, read from disjoint times: the
// counters are the later part's.
func (p partial) combine(o partial) partial {
	p.pings += o.pings
	p.pingSum += o.pingSum
	if o.lastAt > p.lastAt {
		p.lastAt, p.rx, p.tx = o.lastAt, o.rx, o.tx
	}
	return p
}

// pointBuilder turns partials into history points; the pings of all of
// them share one allocation.
type pointBuilder struct {
	out   []projections.HistoryPoint
	pings []float64
}

func newPointBuilder(n int) *pointBuilder {
	return &pointBuilder{out: make([]projections.HistoryPoint, 0, n), pings: make([]float64, 0, n)}
}

func (b *pointBuilder) add(p partial) {
	pt := projections.HistoryPoint{
		ServerID: p.server, TransferRx: p.rx, TransferTx: p.tx,
		RecordedAt: time.Unix(0, int64(p.bucket)).UTC(),
	}
	if p.pings > 0 {
		if ping := p.pingSum / float64(p.pings); !math.IsNaN(ping) {
			if len(b.pings) == cap(b.pings) {
				b.pings = make([]float64, 0, cap(b.pings)+1) // never, with n right
			}
			b.pings = append(b.pings, ping)
			pt.PingMS = &b.pings[len(b.pings)-1]
		}
	}
	b.out = append(b.out, pt)
}

// points turns parts into history points.
func points(parts []partial) []projections.HistoryPoint {
	pb := newPointBuilder(len(parts))
	for _, p := range parts {
		pb.add(p)
	}
	return pb.out
}
