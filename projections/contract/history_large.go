package contract

import (
	"fmt"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// Shape of the large scenario: 20 servers reporting every minute for 72h
// (86,400 reports) spread over 4 partitions, applied in batches of 1000.
const (
	histLargeServers    = 20
	histLargePartitions = 4
	histLargeBatch      = 1000
	histLargeEvery      = time.Minute
	histLargeStep       = 6 * time.Minute
	histLargePerStep    = int(histLargeStep / histLargeEvery)
)

// histLarge answers a 72h query at a 6-minute step over 72h of reports with
// one point per server and bucket, each with the right values.
func histLarge(h *histHarness) {
	span := 72 * histHour
	start := -span // relative to histT0
	perServer := int(span / histLargeEvery)
	batches := make([][]histReport, histLargePartitions)
	next := make([]int64, histLargePartitions)
	flush := func(p int) {
		h.apply(p, next[p], batches[p]...)
		next[p] += int64(len(batches[p]))
		batches[p] = batches[p][:0]
	}
	for k := range perServer {
		for s := range histLargeServers {
			p := s % histLargePartitions
			batches[p] = append(batches[p], histLargeReport(s, k, start))
			if len(batches[p]) == histLargeBatch {
				flush(p)
			}
		}
	}
	for p := range batches {
		flush(p)
	}

	began := time.Now()
	got := h.history(start, 0, histLargeStep)
	h.t.Logf("72h history of %d servers at %v: %d points in %v", histLargeServers, histLargeStep, len(got), time.Since(began))
	buckets := int(span / histLargeStep)
	if want := histLargeServers * buckets; len(got) != want {
		h.t.Fatalf("got %d points, want %d", len(got), want)
	}
	for i, p := range got {
		if want := histLargeWant(i/buckets, i%buckets, start); histFormat(p) != want {
			h.t.Fatalf("point %d = %q, want %q", i, histFormat(p), want)
		}
	}
}

// histLargeReport is report k of server s: ping s+k%6 except that every
// sixth probe fails, counters growing with k.
func histLargeReport(s, k int, start time.Duration) histReport {
	return histReport{
		server: fmt.Sprintf("srv-%02d", s),
		at:     start + time.Duration(k)*histLargeEvery,
		ping:   float64(s + k%histLargePerStep),
		ok:     k%histLargePerStep != histLargePerStep-1,
		rx:     uint64(k*1000 + s),
		tx:     uint64(k*10 + s),
	}
}

// histLargeWant is the expected bucket b of server s: the mean of pings
// s+0..s+4 and the counters of the bucket's last report.
func histLargeWant(s, b int, start time.Duration) string {
	last := histLargeReport(s, b*histLargePerStep+histLargePerStep-1, start)
	ping := float64(s) + 2
	return histFormat(projections.HistoryPoint{
		ServerID:   last.server,
		PingMS:     &ping,
		TransferRx: last.rx,
		TransferTx: last.tx,
		RecordedAt: histT0.Add(start + time.Duration(b)*histLargeStep),
	})
}
