package clickhouse

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// testClock is a settable clock for the rollup rules.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// rollupT0 is "now" at the start of the rollup scenarios, on the hour.
var rollupT0 = time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)

// rollupFleet generates reports of a few servers, in log order per
// partition, with failed pings, equal times and growing counters.
type rollupFleet struct {
	rng  *rand.Rand
	next map[int]int64 // partition -> next offset
	rx   map[string]uint64
}

func newRollupFleet(seed uint64) *rollupFleet {
	return &rollupFleet{rng: rand.New(rand.NewPCG(seed, seed)), next: map[int]int64{}, rx: map[string]uint64{}}
}

// reports returns, per partition, a batch of reports of every server at
// random times in [from, to).
func (f *rollupFleet) reports(t *testing.T, servers int, from, to time.Time) map[int][]projections.Decoded {
	t.Helper()
	out := map[int][]projections.Decoded{}
	for s := range servers {
		id := fmt.Sprintf("roll-%02d", s)
		part := s % 2
		for at := from.Add(time.Duration(f.rng.IntN(40)) * time.Second); at.Before(to); {
			f.rx[id] += uint64(f.rng.IntN(5000))
			r := domain.ServerReported{
				ServerID: id, PingMS: float64(f.rng.IntN(8000)) / 100, PingOK: f.rng.IntN(5) != 0,
				TransferRx: f.rx[id], TransferTx: f.rx[id] / 2, ReportedAt: at,
			}
			ev, err := domain.NewEvent(r, id, 0, domain.AgentActor(id), "", at)
			if err != nil {
				t.Fatalf("new event: %v", err)
			}
			out[part] = append(out[part], projections.Decoded{Partition: part, Offset: f.next[part], Event: ev})
			f.next[part]++
			if f.rng.IntN(10) != 0 { // sometimes two reports in one second
				at = at.Add(time.Duration(1+f.rng.IntN(90)) * time.Second)
			}
		}
	}
	return out
}

func applyAll(t *testing.T, s *HistoryStore, batches map[int][]projections.Decoded) {
	t.Helper()
	for part, b := range batches {
		if err := s.ApplyReports(t.Context(), part, b); err != nil {
			t.Fatalf("ApplyReports(partition %d): %v", part, err)
		}
	}
}

// rawHistory answers q from reports alone, bucketed by ClickHouse, as
// History did before rollups.
func rawHistory(t *testing.T, s *HistoryStore, q projections.HistoryQuery) []projections.HistoryPoint {
	t.Helper()
	parts, err := s.readReportBuckets(t.Context(), q, dateTimeBound(q.From), dateTimeBound(q.To))
	if err != nil {
		t.Fatalf("read reports: %v", err)
	}
	return points(parts)
}

// sameHistory compares points; pings may differ in the last bits, as sums
// taken in another order do.
func sameHistory(got, want []projections.HistoryPoint) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d points, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		pingOK := (g.PingMS == nil) == (w.PingMS == nil) &&
			(g.PingMS == nil || math.Abs(*g.PingMS-*w.PingMS) <= 1e-9*math.Max(1, math.Abs(*w.PingMS)))
		if !pingOK || g.ServerID != w.ServerID || !g.RecordedAt.Equal(w.RecordedAt) ||
			g.TransferRx != w.TransferRx || g.TransferTx != w.TransferTx {
			return fmt.Errorf("point %d = %s, want %s", i, fmtPoint(g), fmtPoint(w))
		}
	}
	return nil
}

func fmtPoint(p projections.HistoryPoint) string {
	ping := "nil"
	if p.PingMS != nil {
		ping = fmt.Sprint(*p.PingMS)
	}
	return fmt.Sprintf("%s@%s ping=%s rx=%d tx=%d", p.ServerID, p.RecordedAt.Format(time.RFC3339), ping, p.TransferRx, p.TransferTx)
}

// checkLikeReports queries s over windows and steps, with and without a
// server filter, and wants the answers History gives from reports alone.
func checkLikeReports(t *testing.T, s *HistoryStore, from, to time.Time) {
	t.Helper()
	windows := [][2]time.Time{
		{from, to},
		{from.Add(17 * time.Second), to.Add(-23 * time.Second)},
		{from.Add(time.Hour + 123*time.Second), from.Add(2*time.Hour + 7*time.Second)},
	}
	steps := []time.Duration{time.Minute, 10 * time.Minute, 20 * time.Minute, time.Hour, 3 * time.Hour, 7 * time.Second, 90 * time.Second}
	for _, w := range windows {
		for _, step := range steps {
			for _, ids := range [][]string{nil, {"roll-01", "roll-04"}} {
				q := projections.HistoryQuery{ServerIDs: ids, From: w[0], To: w[1], Step: step}
				got, err := s.History(t.Context(), q)
				if err != nil {
					t.Fatalf("History(%v..%v step %v): %v", w[0], w[1], step, err)
				}
				if err := sameHistory(got, rawHistory(t, s, q)); err != nil {
					t.Errorf("History(%v..%v step %v servers %v): %v", w[0], w[1], step, ids, err)
				}
			}
		}
	}
}

// Two replicas apply the same batches to one database; one of them, with
// its clock a minute behind, then applies late reports into buckets the
// other has closed, and reports into buckets still open. Every answer
// equals the one read from reports alone, and the default 72 h step is
// answered mostly from rollups.
func TestRollupsAnswerLikeReports(t *testing.T) {
	a := newTestHistoryStore(t)
	b := NewHistoryStore(a.conn, a.log)
	b.flushEvery = 0
	clockA, clockB := &testClock{now: rollupT0}, &testClock{now: rollupT0.Add(-time.Minute)}
	a.now, b.now = clockA.Now, clockB.Now
	fleet := newRollupFleet(1)

	first := fleet.reports(t, 6, rollupT0.Add(-3*time.Hour), rollupT0)
	applyAll(t, a, first)
	applyAll(t, b, first)
	start, end := rollupT0.Add(-3*time.Hour), rollupT0.Add(30*time.Minute)
	checkLikeReports(t, a, start, end)

	p, err := a.plan(t.Context(), 10*time.Minute, dateTimeBound(start), dateTimeBound(end))
	if err != nil {
		t.Fatal(err)
	}
	wantClosed := uint64(rollupT0.Add(-10 * time.Minute).Unix()) // the last 600 s bucket ended 5 min before now
	if p.width != 600 || p.rollFrom != uint64(start.Unix()) || p.rollTo != wantClosed {
		t.Fatalf("plan of the 10 min step = %+v, want rollups of width 600 over [%d, %d)", p, start.Unix(), wantClosed)
	}

	// Later: late reports for closed buckets, new ones for open buckets.
	clockA.Set(rollupT0.Add(20 * time.Minute))
	clockB.Set(rollupT0.Add(19 * time.Minute))
	late := fleet.reports(t, 6, rollupT0.Add(-2*time.Hour-5*time.Minute), rollupT0.Add(15*time.Minute))
	applyAll(t, b, late)
	checkLikeReports(t, a, start, end)
	checkLikeReports(t, b, start, end)
}

// Reports written past the late rule are not in the rollups: History then
// differs from reports, which shows the rollups are what it reads. The
// same reports applied through ApplyReports are rolled up again at once;
// merges are stopped, so History sees both rows of those buckets and must
// pick the newer.
func TestLateReportsAreRolledUpAgain(t *testing.T) {
	s := newTestHistoryStore(t)
	clock := &testClock{now: rollupT0}
	s.now = clock.Now
	if err := s.conn.Exec(t.Context(), "SYSTEM STOP MERGES report_rollups"); err != nil {
		t.Fatal(err)
	}
	fleet := newRollupFleet(2)
	applyAll(t, s, fleet.reports(t, 3, rollupT0.Add(-time.Hour), rollupT0))
	q := projections.HistoryQuery{From: rollupT0.Add(-time.Hour), To: rollupT0, Step: 10 * time.Minute}
	if err := sameHistory(mustHistory(t, s, q), rawHistory(t, s, q)); err != nil {
		t.Fatalf("before the late reports: %v", err)
	}

	late := fleet.reports(t, 3, rollupT0.Add(-50*time.Minute), rollupT0.Add(-40*time.Minute))
	var rows []reportRow
	for _, batch := range late {
		for _, d := range batch {
			r, _ := projections.ReportOf(d.Event)
			rows = append(rows, reportRow{r: r, partition: uint16(d.Partition), offset: uint64(d.Offset)})
		}
	}
	if err := s.insertReports(t.Context(), rowBatches{rows}); err != nil {
		t.Fatal(err)
	}
	if err := sameHistory(mustHistory(t, s, q), rawHistory(t, s, q)); err == nil {
		t.Fatal("late reports written around the rollups changed History at once: it does not read rollups")
	}

	applyAll(t, s, late) // the same records through the projection
	if err := sameHistory(mustHistory(t, s, q), rawHistory(t, s, q)); err != nil {
		t.Fatalf("after applying the late reports: %v", err)
	}
	var stored, buckets uint64
	err := s.conn.QueryRow(t.Context(), `SELECT count(), uniqExact(width, server_id, bucket)
		FROM report_rollups WHERE width = 600`).Scan(&stored, &buckets)
	if err != nil {
		t.Fatal(err)
	}
	if stored <= buckets {
		t.Fatalf("report_rollups holds %d rows for %d buckets: no bucket has an older row to skip", stored, buckets)
	}
}

func mustHistory(t *testing.T, s *HistoryStore, q projections.HistoryQuery) []projections.HistoryPoint {
	t.Helper()
	got, err := s.History(t.Context(), q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	return got
}

// A report is late once its minute ended rollupGrace-rollupMargin before
// its insert completed, not a second earlier; a late report names its
// server's coarsest bucket once.
func TestLatePairs(t *testing.T) {
	done := rollupT0
	row := func(server string, at time.Time) reportRow {
		return reportRow{r: domain.ServerReported{ServerID: server, ReportedAt: at}}
	}
	lateMinute := done.Add(-(rollupGrace - rollupMargin)).Add(-time.Minute) // ends exactly at the cutoff
	rows := []reportRow{
		row("a", lateMinute),
		row("a", lateMinute.Add(59*time.Second)),
		row("b", lateMinute.Add(time.Minute)), // its minute ends a minute after the cutoff
		row("c", done.Add(-3*time.Hour)),
	}
	got := latePairs(rowBatches{rows[:1], rows[1:]}, done) // server a in both batches, once in the result
	want := []serverBucket{
		{"a", uint32(lateMinute.Truncate(10 * time.Minute).Unix())},
		{"c", uint32(done.Add(-3 * time.Hour).Unix())},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("latePairs = %v, want %v", got, want)
	}
}

// The closer skips stretches without reports and rolls up at most
// closeSpan per run, until closed_to reaches the last closed bucket.
func TestCloserCatchesUp(t *testing.T) {
	s := newTestHistoryStore(t)
	clock := &testClock{now: rollupT0}
	s.now = clock.Now
	fleet := newRollupFleet(3)
	old := fleet.reports(t, 2, rollupT0.Add(-40*time.Hour), rollupT0.Add(-39*time.Hour))
	recent := fleet.reports(t, 2, rollupT0.Add(-20*time.Hour), rollupT0)
	// Written around the projection: no flush, no late rule, no closer.
	for _, batches := range []map[int][]projections.Decoded{old, recent} {
		var rows []reportRow
		for _, batch := range batches {
			for _, d := range batch {
				r, _ := projections.ReportOf(d.Event)
				rows = append(rows, reportRow{r: r, partition: uint16(d.Partition), offset: uint64(d.Offset)})
			}
		}
		if err := s.insertReports(t.Context(), rowBatches{rows}); err != nil {
			t.Fatal(err)
		}
	}
	due := uint64(rollupT0.Add(-10 * time.Minute).Unix())
	runs := 0
	for ; runs < 10; runs++ {
		closed, err := s.readClosed(t.Context(), 600)
		if err != nil {
			t.Fatal(err)
		}
		if closed == due {
			break
		}
		s.closeRollups()
	}
	// 40 h ago: one run for the old hour (then the empty stretch is
	// skipped), then 20 h of reports in 6 h steps.
	if runs != 5 {
		t.Errorf("closed_to reached the due bucket after %d runs, want 5", runs)
	}
	checkLikeReports(t, s, rollupT0.Add(-40*time.Hour), rollupT0)
}

// One replica closes buckets; another, with its clock 1m59s behind (the
// margin tolerates 2 minutes), then applies reports from the end of the newest closed bucket
// on: none of them is late, and none lands in a closed bucket. Then it
// applies reports into the newest closed buckets: those are late, and
// rolled up again.
func TestReportsBehindTheCloserAreRolledUp(t *testing.T) {
	a := newTestHistoryStore(t)
	b := NewHistoryStore(a.conn, a.log)
	b.flushEvery = 0
	clockA, clockB := &testClock{now: rollupT0}, &testClock{now: rollupT0.Add(-119 * time.Second)}
	a.now, b.now = clockA.Now, clockB.Now
	fleet := newRollupFleet(4)
	applyAll(t, a, fleet.reports(t, 4, rollupT0.Add(-time.Hour), rollupT0.Add(-4*time.Minute)))
	closed, err := a.readClosed(t.Context(), 60)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(rollupT0.Add(-rollupGrace).Unix()); closed != want {
		t.Fatalf("closed_to of width 60 = %d, want %d", closed, want)
	}
	applyAll(t, b, fleet.reports(t, 4, rollupT0.Add(-rollupGrace), rollupT0))
	checkLikeReports(t, a, rollupT0.Add(-time.Hour), rollupT0.Add(time.Minute))
	applyAll(t, b, fleet.reports(t, 4, rollupT0.Add(-rollupGrace-time.Minute), rollupT0.Add(-rollupGrace)))
	checkLikeReports(t, a, rollupT0.Add(-time.Hour), rollupT0.Add(time.Minute))
}

// warnCounter is a slog handler counting records at warning level and up.
type warnCounter struct{ n atomic.Int32 }

func (w *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		w.n.Add(1)
	}
	return nil
}
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnCounter) WithGroup(string) slog.Handler      { return w }

// After Close, flushes have ended and no closer run starts, so the
// connection can be closed without a closer failing on it.
func TestCloseStopsTheCloser(t *testing.T) {
	s := newTestHistoryStore(t)
	warns := &warnCounter{}
	s.log = slog.New(warns)
	clock := &testClock{now: rollupT0}
	s.now = clock.Now
	fleet := newRollupFleet(5)
	applyAll(t, s, fleet.reports(t, 2, rollupT0.Add(-30*time.Minute), rollupT0.Add(-20*time.Minute)))
	closed, err := s.readClosed(t.Context(), 600)
	if err != nil {
		t.Fatal(err)
	}
	if closed == 0 {
		t.Fatal("the flush ran no closer: nothing to stop")
	}
	// Buckets come due; a closer run after Close must not start.
	clock.Set(rollupT0.Add(3 * time.Hour))
	s.Close()
	s.closeRollups()
	after, err := s.readClosed(t.Context(), 600)
	if err != nil {
		t.Fatal(err)
	}
	if after != closed {
		t.Errorf("closed_to moved from %d to %d after Close", closed, after)
	}
	if n := warns.n.Load(); n != 0 {
		t.Errorf("%d warnings logged", n)
	}
}
