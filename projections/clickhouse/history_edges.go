package clickhouse

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sentrazone/sentrazone/projections"
)

// edgeSpan is the longest stretch of reports (seconds) History reads as
// rows and buckets here rather than in ClickHouse: the ends of a window
// around its rollups are shorter than a bucket plus rollupGrace. On 18.16
// FINAL and GROUP BY cost more than reading those rows.
const edgeSpan = 3600

// sqlReportRows reads reports, copies included; reportBuckets drops the
// copies.
const sqlReportRows = `SELECT server_id, toUInt32(reported_at), ping_ms, ping_ok, transfer_rx, transfer_tx,
	kafka_partition, kafka_offset
FROM reports
WHERE reported_at >= toDateTime(?) AND reported_at <= toDateTime(?)%s`

// reportRowRead is one row of sqlReportRows.
type reportRowRead struct {
	server    string
	at        uint32
	ping      float64
	pingOK    uint8
	rx, tx    uint64
	partition uint16
	offset    uint64
}

// readReportRows reads the reports in the seconds [from, to) and buckets
// them here, as sqlReportBuckets does in ClickHouse.
func (s *HistoryStore) readReportRows(ctx context.Context, q projections.HistoryQuery, from, to uint64) ([]partial, error) {
	filter, ids := serverFilter(q.ServerIDs)
	rows, err := s.conn.Query(ctx, fmt.Sprintf(sqlReportRows, filter), append([]any{from, to - 1}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("query reports: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var (
		all []reportRowRead
		r   reportRowRead // outside the loop: Scan makes it escape
	)
	for rows.Next() {
		if err := rows.Scan(&r.server, &r.at, &r.ping, &r.pingOK, &r.rx, &r.tx, &r.partition, &r.offset); err != nil {
			return nil, fmt.Errorf("scan reports: %w", err)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	return reportBuckets(all, uint64(q.Step)), nil
}

// reportBuckets buckets reports of step nanoseconds: a report stored twice
// (same log position) counts once, and the counters of a bucket are those
// of its last report by time, then log position.
func reportBuckets(rows []reportRowRead, step uint64) []partial {
	slices.SortFunc(rows, func(a, b reportRowRead) int {
		return cmp.Or(strings.Compare(a.server, b.server), cmp.Compare(a.at, b.at),
			cmp.Compare(a.partition, b.partition), cmp.Compare(a.offset, b.offset))
	})
	var out []partial
	for i, r := range rows {
		if i > 0 && r.server == rows[i-1].server && r.partition == rows[i-1].partition && r.offset == rows[i-1].offset {
			continue // a copy
		}
		bucket := uint64(r.at) * 1e9 / step * step
		if n := len(out); n == 0 || out[n-1].server != r.server || out[n-1].bucket != bucket {
			out = append(out, partial{server: r.server, bucket: bucket})
		}
		p := &out[len(out)-1]
		if r.pingOK == 1 {
			p.pings++
			p.pingSum += r.ping
		}
		p.lastAt, p.rx, p.tx = r.at, r.rx, r.tx
	}
	return out
}
