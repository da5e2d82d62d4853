package contract

import (
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

const (
	histSec  = time.Second
	histMin  = time.Minute
	histHour = time.Hour
)

// histBucketAverages: ping is the mean over reports whose probe succeeded;
// a bucket of failed probes only has no ping.
func histBucketAverages(h *histHarness) {
	h.apply(0, 0,
		histReport{"a", 0, 10, true, 1, 10},
		histReport{"a", 20 * histSec, 20, true, 2, 20},
		histReport{"a", 40 * histSec, 0, false, 3, 30},
		histReport{"a", 60 * histSec, 0, false, 4, 40},
		histReport{"a", 90 * histSec, 0, false, 5, 50},
		histReport{"a", 150 * histSec, 12.5, true, 6, 60},
	)
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=15.000 rx=3 tx=30",
		"a 1m0s ping=nil rx=5 tx=50",
		"a 2m0s ping=12.500 rx=6 tx=60",
	)
}

// histLastCounter: transfer counters are those of the latest report of the
// bucket by reported_at (not the maximum, not the last applied); on equal
// times the later log position wins.
func histLastCounter(h *histHarness) {
	h.apply(0, 0,
		histReport{"a", 50 * histSec, 1, true, 500, 5000},
		histReport{"a", 10 * histSec, 1, true, 100, 1000},
		histReport{"a", 30 * histSec, 1, true, 300, 3000},
		histReport{"a", 70 * histSec, 1, true, 900, 9000},
		histReport{"a", 110 * histSec, 1, true, 5, 50}, // counters reset (reboot)
		histReport{"a", 130 * histSec, 1, true, 7, 70},
		histReport{"a", 130 * histSec, 1, true, 8, 80},
	)
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=1.000 rx=500 tx=5000",
		"a 1m0s ping=1.000 rx=5 tx=50",
		"a 2m0s ping=1.000 rx=8 tx=80",
	)
}

// histBucketAlignment: buckets start at multiples of Step since the Unix
// epoch, not at From, for steps that divide a day and steps that do not.
func histBucketAlignment(h *histHarness) {
	h.apply(0, 0,
		histReport{"a", 1 * histMin, 1, true, 1, 1},
		histReport{"a", 3 * histMin, 2, true, 2, 2},
		histReport{"a", 4 * histMin, 4, true, 3, 3},
		histReport{"a", 6 * histMin, 8, true, 4, 4},
		histReport{"a", 16 * histMin, 16, true, 5, 5},
		histReport{"a", 17 * histMin, 32, true, 6, 6},
	)
	h.expect(2*histMin, 17*histMin, 5*histMin, nil,
		"a 0s ping=3.000 rx=3 tx=3",
		"a 5m0s ping=8.000 rx=4 tx=4",
		"a 15m0s ping=16.000 rx=5 tx=5",
	)
	for _, step := range []time.Duration{7 * histMin, 1500 * time.Millisecond, 500 * time.Millisecond, 13 * histSec} {
		got := h.history(0, histHour, step)
		var want []time.Time
		for _, at := range []time.Duration{1 * histMin, 3 * histMin, 4 * histMin, 6 * histMin, 16 * histMin, 17 * histMin} {
			b := histBucket(histT0.Add(at), step)
			if len(want) == 0 || !want[len(want)-1].Equal(b) {
				want = append(want, b)
			}
		}
		if len(got) != len(want) {
			h.t.Errorf("step %v: got %d buckets %q, want starts %v", step, len(got), histStrings(got), want)
			continue
		}
		for i, p := range got {
			if !p.RecordedAt.Equal(want[i]) {
				h.t.Errorf("step %v: bucket %d starts at %v, want %v", step, i, p.RecordedAt, want[i])
			}
		}
	}
}

// histBucket is the start of the bucket of width step that holds t.
func histBucket(t time.Time, step time.Duration) time.Time {
	ns, s := t.UnixNano(), int64(step)
	return time.Unix(0, ns-((ns%s)+s)%s).UTC()
}

// histFromTo: From is inclusive, To exclusive; an empty range is empty.
func histFromTo(h *histHarness) {
	h.apply(0, 0,
		histReport{"a", 10*histMin - histSec, 1, true, 1, 1},
		histReport{"a", 10 * histMin, 2, true, 2, 2},
		histReport{"a", 20*histMin - histSec, 4, true, 3, 3},
		histReport{"a", 20 * histMin, 8, true, 4, 4},
	)
	h.expect(10*histMin, 20*histMin, histMin, nil,
		"a 10m0s ping=2.000 rx=2 tx=2",
		"a 19m0s ping=4.000 rx=3 tx=3",
	)
	h.expect(10*histMin, 20*histMin, histHour, nil, "a 0s ping=3.000 rx=3 tx=3")
	h.expect(10*histMin, 10*histMin, histMin, nil)
	h.expect(20*histMin, 10*histMin, histMin, nil)
}

// histInvalidStep: a Step that is not positive is an error, not a panic.
func histInvalidStep(h *histHarness) {
	h.apply(0, 0, histReport{"a", 0, 1, true, 1, 1})
	for _, step := range []time.Duration{0, -time.Minute} {
		q := projections.HistoryQuery{From: histT0, To: histT0.Add(histHour), Step: step}
		if got, err := h.store.History(h.ctx, q); err == nil {
			h.t.Errorf("History(step %v) = %q, want an error", step, histStrings(got))
		}
	}
}
