package clickhouse

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sentrazone/sentrazone/projections"
)

// Both ways of picking the newest row per bucket agree, on rows in random
// order with repeated buckets, and keep the row with the most reports.
func TestNewestPerBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	names := []string{"m", "b", "z", "a"}
	const from, width = 6000, 600
	var rows []rollupRow
	want := map[string]uint64{} // server@bucket -> most reports
	for range 400 {
		r := rollupRow{server: int32(rng.IntN(len(names))), bucket: uint32(from + width*rng.IntN(30)), n: uint64(1 + rng.IntN(50))}
		r.rx = r.n // marks which row was kept
		key := fmt.Sprintf("%s@%d", names[r.server], r.bucket)
		want[key] = max(want[key], r.n)
		rows = append(rows, r)
	}
	byCell := newestByCell(slices.Clone(rows), names, from, width, 30)
	bySort := newestBySort(slices.Clone(rows), names)
	if !slices.Equal(byCell, bySort) {
		t.Fatalf("by cell:\n%v\nby sort:\n%v", byCell, bySort)
	}
	if len(byCell) != len(want) {
		t.Fatalf("%d buckets, want %d", len(byCell), len(want))
	}
	for i, p := range byCell {
		if key := fmt.Sprintf("%s@%d", p.server, p.bucket/1e9); p.rx != want[key] {
			t.Errorf("%s: kept the row of %d reports, want %d", key, p.rx, want[key])
		}
		if i > 0 && cmpPartial(byCell[i-1], p) >= 0 {
			t.Errorf("%v before %v: not sorted", byCell[i-1], p)
		}
	}
}

// Lists merge in order; a bucket several lists hold is combined: pings
// add up, the counters are those of the latest part.
func TestMergePartials(t *testing.T) {
	p := func(server string, bucket uint64, pings uint64, lastAt uint32, rx uint64) partial {
		return partial{server: server, bucket: bucket, pings: pings, pingSum: float64(pings), lastAt: lastAt, rx: rx}
	}
	got := mergePartials([][]partial{
		{p("a", 1, 1, 10, 100), p("b", 1, 1, 10, 100)},
		{p("a", 1, 2, 30, 300), p("a", 2, 1, 40, 400)},
		nil,
		{p("a", 1, 4, 20, 200), p("c", 0, 1, 1, 1)},
	})
	histStrings := func(ps []projections.HistoryPoint) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmtPoint(p))
		}
		return out
	}
	want := points([]partial{p("a", 1, 7, 30, 300), p("a", 2, 1, 40, 400), p("b", 1, 1, 10, 100), p("c", 0, 1, 1, 1)})
	if fmt.Sprint(histStrings(got)) != fmt.Sprint(histStrings(want)) {
		t.Fatalf("mergePartials:\n got %v\nwant %v", got, want)
	}
}
