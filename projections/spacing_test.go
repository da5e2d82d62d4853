package projections_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// floodLog grows its one reports partition by batch records at every
// reports fetch, as a steady load of reports would, and hands out
// everything from the offset asked for. Unless behind is set, that
// reaches its high watermark; with behind, the log claims a backlog.
type floodLog struct {
	fixedLog
	value  []byte
	batch  int64
	behind bool

	mu      sync.Mutex
	end     int64
	fetches int
}

// Batches around the projector's bounds: at least 500 is large, from
// 100 middling, below that small.
const (
	floodBatch    = 600
	middlingBatch = 200
	smallBatch    = 50
)

func newFloodLog(t *testing.T, batch int64, behind bool) *floodLog {
	t.Helper()
	v, err := encodedReport("flood", time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return &floodLog{fixedLog: fixedLog{fetches: map[int64]int{}, records: map[string][]eventstore.Record{}}, value: v, batch: batch, behind: behind}
}

func (l *floodLog) Fetch(ctx context.Context, topic string, p int, offset int64, maxWait time.Duration) (eventstore.Batch, error) {
	if topic != eventstore.TopicReports {
		return l.fixedLog.Fetch(ctx, topic, p, offset, maxWait)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fetches++
	l.end += l.batch
	recs := make([]eventstore.Record, 0, l.end-offset)
	for o := offset; o < l.end; o++ {
		recs = append(recs, eventstore.Record{Topic: topic, Offset: o, Value: l.value})
	}
	hw := l.end
	if l.behind {
		hw += 1_000_000
	}
	return eventstore.Batch{Records: recs, Next: l.end, HighWatermark: hw}, nil
}

func (l *floodLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fetches
}

// spacingState is a memory state store that asks for spaced reads of
// reports under load, as the Postgres store does.
type spacingState struct {
	*memstate.Store
	spacing time.Duration
}

func (s spacingState) ReportsSpacing() time.Duration { return s.spacing }

// fetchesIn runs a projector over l for d and returns the reports
// fetches it made.
func fetchesIn(t *testing.T, l *floodLog, state projections.StateStore, d time.Duration) int {
	t.Helper()
	p := projections.NewProjector(l, state, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	time.Sleep(d) // let it run: the fetch count over time is what is tested
	cancel()
	<-done
	return l.count()
}

// Large batches that reach the end of the log are read once per spacing
// when the store asks for it, and back to back when it does not.
func TestReportsUnderLoadAreReadOncePerSpacing(t *testing.T) {
	const run, spacing = 600 * time.Millisecond, 150 * time.Millisecond
	spaced := fetchesIn(t, newFloodLog(t, floodBatch, false), spacingState{memstate.New(nil), spacing}, run)
	// A wait is at least three quarters of the spacing (jitter).
	if most := int(run/(spacing*3/4)) + 2; spaced > most {
		t.Errorf("%d reports fetches in %v with a spacing of %v, want at most %d", spaced, run, spacing, most)
	}
	if spaced < 2 {
		t.Errorf("%d reports fetches in %v: the loop stopped reading", spaced, run)
	}
	plain := fetchesIn(t, newFloodLog(t, floodBatch, false), memstate.New(nil), run)
	t.Logf("reports fetches in %v: %d spaced, %d without spacing", run, spaced, plain)
	if plain < 3*spaced {
		t.Errorf("without spacing %d fetches in %v, with it %d: want the spacing to be what holds the reads back", plain, run, spaced)
	}
}

// A loop behind the log reads on at once, spacing or not: a replay or a
// backlog is not held back.
func TestReportsBehindTheLogAreNotSpaced(t *testing.T) {
	const run, spacing = 600 * time.Millisecond, 150 * time.Millisecond
	n := fetchesIn(t, newFloodLog(t, floodBatch, true), spacingState{memstate.New(nil), spacing}, run)
	t.Logf("reports fetches in %v while behind: %d", run, n)
	if least := 3 * (int(run/spacing) + 2); n < least {
		t.Errorf("%d reports fetches in %v while behind the log, want at least %d (no spacing)", n, run, least)
	}
}

// Middling batches that reach the end of the log are read once per half
// the spacing: more often than large ones, less than small ones.
func TestMiddlingReportsAreReadOncePerHalfTheSpacing(t *testing.T) {
	const run, spacing = 900 * time.Millisecond, 300 * time.Millisecond
	n := fetchesIn(t, newFloodLog(t, middlingBatch, false), spacingState{memstate.New(nil), spacing}, run)
	t.Logf("reports fetches in %v of %d-report batches with a spacing of %v: %d", run, middlingBatch, spacing, n)
	// Half the spacing, jittered, waits 112.5 to 187.5 ms: 5 reads at
	// least (at 0 and after four waits, 750 ms at most), 9 at most
	// (eight waits of 112.5 ms), one more for timing. The whole spacing,
	// jittered (225 to 375 ms), would make 3 to 5.
	least, most := int(run/(spacing/2*5/4))+1, int(run/(spacing/2*3/4))+2
	if n < least || n > most {
		t.Errorf("%d reports fetches in %v, want %d to %d (half the spacing of %v)",
			n, run, least, most, spacing)
	}
}

// Small batches only linger, whatever spacing the store asks for: a
// lightly loaded partition stays as fresh as without it.
func TestSmallReportsAreNotSpaced(t *testing.T) {
	const run, spacing = 900 * time.Millisecond, 300 * time.Millisecond
	n := fetchesIn(t, newFloodLog(t, smallBatch, false), spacingState{memstate.New(nil), spacing}, run)
	t.Logf("reports fetches in %v of %d-report batches with a spacing of %v: %d", run, smallBatch, spacing, n)
	if least := 3 * int(run/(spacing/2)); n < least {
		t.Errorf("%d reports fetches in %v of small batches, want at least %d (the 20 ms linger, no spacing)", n, run, least)
	}
}
