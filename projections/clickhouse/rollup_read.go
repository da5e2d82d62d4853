package clickhouse

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// rollupRow is one row of report_rollups as sqlRollupRows reads it, its
// server named by an index into the servers seen. It holds no pointer, so
// a scan of tens of thousands costs the garbage collector nothing.
type rollupRow struct {
	server  int32
	bucket  uint32
	lastAt  uint32
	n       uint64
	pings   uint64
	pingSum float64
	rx, tx  uint64
}

// Scratch space of History, reused: rows and cells of scanRollupRows
// and the partials it returns.
var (
	spareRollupRows spares[rollupRow]
	spareCells      spares[int32]
	sparePartials   spares[partial]
)

// scanRollupRows reads and closes rows of sqlRollupRows, buckets of
// width from the second from on, and returns one partial per server and
// bucket, from its row with the most reports (the newest: rows of one
// bucket may not be merged yet), sorted by server, then bucket. hint is
// the number of rows expected, 0 if unknown.
func scanRollupRows(rows driver.Rows, from uint64, width uint32, hint int) ([]partial, error) {
	defer func() { _ = rows.Close() }()
	index := map[string]int32{}
	var names []string
	all := spareRollupRows.get(hint + hint/8)
	defer func() { spareRollupRows.put(all) }()
	var ( // outside the loop: Scan makes them escape
		r      rollupRow
		server string
	)
	for rows.Next() {
		if err := rows.Scan(&server, &r.bucket, &r.n, &r.pings, &r.pingSum, &r.lastAt, &r.rx, &r.tx); err != nil {
			return nil, fmt.Errorf("scan report_rollups: %w", err)
		}
		i, ok := index[server]
		if !ok {
			i = int32(len(names))
			index[server] = i
			names = append(names, server)
		}
		r.server = i
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read report_rollups: %w", err)
	}
	return newestPerBucket(all, names, from, width), nil
}

// newestPerBucket returns one partial per server and bucket of rows, from
// its row with the most reports, sorted by server name, then bucket. Rows
// arrive in no order across parts and threads: when the grid of servers
// and buckets is not much larger than the rows, each row is placed in its
// cell, else they are sorted.
func newestPerBucket(rows []rollupRow, names []string, from uint64, width uint32) []partial {
	slots := 0
	for _, r := range rows {
		slots = max(slots, int((uint64(r.bucket)-from)/uint64(width))+1)
	}
	if len(names)*slots <= 2*len(rows)+4096 {
		return newestByCell(rows, names, from, width, slots)
	}
	return newestBySort(rows, names)
}

func newestByCell(rows []rollupRow, names []string, from uint64, width uint32, slots int) []partial {
	rank := rankNames(names)
	cell := spareCells.getZeroed(len(names) * slots) // row index + 1; 0 is empty
	defer spareCells.put(cell)
	n := 0
	for i, r := range rows {
		k := rank[r.server]*slots + int((uint64(r.bucket)-from)/uint64(width))
		switch c := cell[k]; {
		case c == 0:
			n++
			cell[k] = int32(i + 1)
		case rows[c-1].n < r.n:
			cell[k] = int32(i + 1)
		}
	}
	out := sparePartials.get(n)
	for _, c := range cell {
		if c != 0 {
			out = append(out, rows[c-1].partial(names))
		}
	}
	return out
}

func newestBySort(rows []rollupRow, names []string) []partial {
	rank := rankNames(names)
	slices.SortFunc(rows, func(a, b rollupRow) int {
		return cmp.Or(cmp.Compare(rank[a.server], rank[b.server]), cmp.Compare(a.bucket, b.bucket), cmp.Compare(b.n, a.n))
	})
	out := make([]partial, 0, len(rows))
	for i, r := range rows {
		if i > 0 && r.server == rows[i-1].server && r.bucket == rows[i-1].bucket {
			continue // an older row of the bucket
		}
		out = append(out, r.partial(names))
	}
	return out
}

func (r rollupRow) partial(names []string) partial {
	return partial{server: names[r.server], bucket: uint64(r.bucket) * 1e9, pings: r.pings,
		pingSum: r.pingSum, lastAt: r.lastAt, rx: r.rx, tx: r.tx}
}

// rankNames returns, for each name, its rank in sorted order.
func rankNames(names []string) []int {
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	rank := make([]int, len(names))
	for r, i := range order {
		rank[i] = r
	}
	return rank
}
