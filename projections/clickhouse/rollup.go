package clickhouse

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rollups. report_rollups keeps, per width, server and bucket, what
// History needs of the bucket's reports: how many had a ping, the sum of
// those pings, and the counters of the last one. History reads rollups for
// the buckets they are complete for (see rollupPlan) and reports only for
// the rest, so a 72 h query reads one row per server and 10 minutes
// instead of every report, without FINAL over every report.
//
// A rollup row is always computed from reports, FINAL, for its whole
// bucket: copies of a report (replicas applying the same batch, a batch
// re-delivered) count once, and the row with the most reports is the
// newest. Two things write rows:
//
//   - the closer (closeRollups), after a flush: once buckets of a width have
//     ended rollupGrace ago it rolls them up for every server and then
//     raises closed_to in rollup_progress;
//   - late reports: a flush whose insert completes when a report's bucket
//     ended rollupGrace-rollupMargin ago or earlier rolls that server's
//     buckets up again (rollUpLate) before it writes its offsets.
//
// That is enough: the closer reads reports at some t >= end+rollupGrace. A
// report of the bucket whose insert completed before t is in what it
// reads; one that completed after t completed after end+rollupGrace, so
// later than end+rollupGrace-rollupMargin even on a replica whose clock is
// up to rollupMargin behind the closer's, and its own flush rolled the
// bucket up again, after the insert.

// rollupWidths are the bucket widths of the rollups in seconds, finest
// first; each divides the next.
var rollupWidths = []uint32{60, 600}

const (
	// rollupGrace is how long after its end a bucket is closed.
	rollupGrace = 5 * time.Minute
	// rollupMargin bounds the clock skew between replicas that the late
	// rule tolerates.
	rollupMargin = 2 * time.Minute
	// closeSpan is the most a single closer run rolls up, per width, so
	// that a first run over days of reports does not hold flushes long.
	closeSpan = 6 * 3600
	// lateChunk is how many (server, bucket) pairs one late roll-up names.
	lateChunk = 500
	// rollupRefresh is how long History trusts its copy of closed_to;
	// a stale copy only makes it read more reports.
	rollupRefresh = 5 * time.Second
)

// sqlRollUp rolls up reports into report_rollups for the widths of %s,
// over the seconds [?, ?] and the filter of the second %s.
const sqlRollUp = `INSERT INTO report_rollups (width, server_id, bucket, n, pings, ping_sum, last_at, rx, tx)
SELECT w, server_id, toDateTime(intDiv(toUInt32(reported_at), w) * w) AS b,
	count(), countIf(ping_ok = 1), sumIf(ping_ms, ping_ok = 1), max(reported_at),
	argMax(transfer_rx, (reported_at, kafka_partition, kafka_offset)),
	argMax(transfer_tx, (reported_at, kafka_partition, kafka_offset))
FROM reports FINAL ARRAY JOIN %s AS w
WHERE reported_at >= toDateTime(?) AND reported_at <= toDateTime(?)%s
GROUP BY w, server_id, b`

const sqlInsertProgress = "INSERT INTO rollup_progress (width, closed_to, updated_at)"

// rollUp rolls up the reports of the seconds [from, to) at widths,
// limited by filter (" AND ...", with its args). from and to are multiples
// of every width.
func (s *HistoryStore) rollUp(ctx context.Context, widths []uint32, from, to uint64, filter string, args ...any) error {
	lits := make([]string, len(widths))
	for i, w := range widths {
		lits[i] = strconv.FormatUint(uint64(w), 10)
	}
	query := fmt.Sprintf(sqlRollUp, "["+strings.Join(lits, ", ")+"]", filter)
	last := min(to-1, maxDateTime) // to itself may not fit a DateTime
	if err := s.conn.Exec(ctx, query, append([]any{from, last}, args...)...); err != nil {
		return fmt.Errorf("roll up %d..%d: %w", from, to, err)
	}
	return nil
}

// serverBucket is one server's bucket of the coarsest width.
type serverBucket struct {
	server string
	bucket uint32
}

// rollUpLate rolls up again, at every width, the coarsest buckets of the
// servers of rows that are late at doneAt, when their insert completed.
func (s *HistoryStore) rollUpLate(ctx context.Context, rows rowBatches, doneAt time.Time) error {
	pairs := latePairs(rows, doneAt)
	for len(pairs) > 0 {
		n := min(len(pairs), lateChunk)
		if err := s.rollUpPairs(ctx, pairs[:n]); err != nil {
			return fmt.Errorf("late reports: %w", err)
		}
		pairs = pairs[n:]
	}
	return nil
}

// latePairs returns, once each, the servers' coarsest buckets of the rows
// that are late at doneAt: whose finest bucket ended at least
// rollupGrace-rollupMargin before.
func latePairs(rows rowBatches, doneAt time.Time) []serverBucket {
	fine, coarse := int64(rollupWidths[0]), int64(rollupWidths[len(rollupWidths)-1])
	cutoff := doneAt.Add(-(rollupGrace - rollupMargin)).Unix()
	seen := map[serverBucket]bool{}
	var pairs []serverBucket
	for row := range rows.all() {
		sec := row.r.ReportedAt.Unix()
		if sec-sec%fine+fine > cutoff {
			continue // the closer has not reached its bucket yet
		}
		p := serverBucket{row.r.ServerID, uint32(sec - sec%coarse)}
		if !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	return pairs
}

// rollUpPairs rolls up the given servers' coarsest buckets at every width.
func (s *HistoryStore) rollUpPairs(ctx context.Context, pairs []serverBucket) error {
	coarse := rollupWidths[len(rollupWidths)-1]
	lo, hi := pairs[0].bucket, pairs[0].bucket
	seen := map[string]bool{}
	var servers []string
	var tuples []any
	for _, p := range pairs {
		lo, hi = min(lo, p.bucket), max(hi, p.bucket)
		if !seen[p.server] {
			seen[p.server] = true
			servers = append(servers, p.server)
		}
		tuples = append(tuples, p.server, p.bucket)
	}
	filter, ids := serverFilter(servers)
	filter += " AND (server_id, intDiv(toUInt32(reported_at), " + strconv.FormatUint(uint64(coarse), 10) + ") * " +
		strconv.FormatUint(uint64(coarse), 10) + ") IN ((?, ?)" + strings.Repeat(", (?, ?)", len(pairs)-1) + ")"
	return s.rollUp(ctx, rollupWidths, uint64(lo), uint64(hi)+uint64(coarse), filter, append(ids, tuples...)...)
}
