package clickhouse

import (
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// TestHistoryCountsRowsStoredTwiceOnce simulates a crash between the row
// inserts and the offset write: reports of the batch are inserted again
// while merges are stopped, so the copies sit in separate parts, and
// History must still count every report once.
func TestHistoryCountsRowsStoredTwiceOnce(t *testing.T) {
	s := newTestHistoryStore(t)
	ctx := t.Context()
	if err := s.conn.Exec(ctx, "SYSTEM STOP MERGES reports"); err != nil {
		t.Fatalf("stop merges: %v", err)
	}
	batch := testReports(t, 0, 600)
	q := projections.HistoryQuery{
		From: time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC),
		Step: 7 * time.Second,
	}
	if err := s.ApplyReports(ctx, 0, batch); err != nil {
		t.Fatalf("ApplyReports: %v", err)
	}
	want, err := s.History(ctx, q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}

	// A re-delivery seldom splits the same way: store every third report
	// again, which would shift averages if counted twice.
	var again []reportRow
	for i, d := range batch {
		if i%3 == 0 {
			r, _ := projections.ReportOf(d.Event)
			again = append(again, reportRow{r: r, partition: 0, offset: uint64(d.Offset)})
		}
	}
	if err := s.insertReports(ctx, rowBatches{again}); err != nil {
		t.Fatalf("insert again: %v", err)
	}
	var raw uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM reports").Scan(&raw); err != nil {
		t.Fatalf("count: %v", err)
	}
	if want := uint64(len(batch) + len(again)); raw != want {
		t.Fatalf("reports holds %d rows, want %d (with the copies)", raw, want)
	}
	got, err := s.History(ctx, q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	checkPoints(t, "History after the duplicate insert", got, want)
	// A window short enough to be read as rows and bucketed here.
	q.To = q.From.Add(time.Hour)
	got, err = s.History(ctx, q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("History of the first hour after the duplicate insert: no points")
	}
	checkPoints(t, "History of the first hour after the duplicate insert", got, want)
}

// checkPoints fails t unless got and want hold equal points, in order;
// what names the history read in the message.
func checkPoints(t *testing.T, what string, got, want []projections.HistoryPoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d points, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !pointEqual(got[i], want[i]) {
			t.Fatalf("%s: point %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

func pointEqual(a, b projections.HistoryPoint) bool {
	if (a.PingMS == nil) != (b.PingMS == nil) || (a.PingMS != nil && *a.PingMS != *b.PingMS) {
		return false
	}
	return a.ServerID == b.ServerID && a.TransferRx == b.TransferRx && a.TransferTx == b.TransferTx &&
		a.RecordedAt.Equal(b.RecordedAt)
}

// TestHistoryPeerTrafficAndPrune: peer stats land in peer_traffic, and
// Prune drops their old days too.
func TestHistoryPeerTrafficAndPrune(t *testing.T) {
	s := newTestHistoryStore(t)
	ctx := t.Context()
	if err := s.ApplyReports(ctx, 0, testReports(t, 0, 40)); err != nil {
		t.Fatalf("ApplyReports: %v", err)
	}
	count := func(table string) uint64 {
		t.Helper()
		var n uint64
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+table+" FINAL").Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}
	if n := count("peer_traffic"); n != 80 {
		t.Errorf("peer_traffic holds %d rows, want 80", n)
	}
	// The reports span 2026-05-06 00:00:00..00:00:01 UTC.
	first := time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)
	if err := s.Prune(ctx, first); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if r, p := count("reports"), count("peer_traffic"); r != 40 || p != 80 {
		t.Errorf("Prune before the first report dropped rows: reports %d, peer_traffic %d", r, p)
	}
	// More than a day later, their day is over in every time zone.
	if err := s.Prune(ctx, first.Add(25*time.Hour)); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if r, p := count("reports"), count("peer_traffic"); r != 0 || p != 0 {
		t.Errorf("after Prune a day later: reports %d, peer_traffic %d rows, want none", r, p)
	}
}

// TestHistoryRejectsForeignPartition: a record of another partition fails
// the batch before anything is written.
func TestHistoryRejectsForeignPartition(t *testing.T) {
	s := newTestHistoryStore(t)
	batch := testReports(t, 0, 3)
	batch[1].Partition = 2
	if err := s.ApplyReports(t.Context(), 0, batch); err == nil {
		t.Fatal("ApplyReports accepted a record of partition 2 into partition 0")
	}
	if off, err := s.NextOffsets(t.Context(), "sentrazone.reports"); err != nil || len(off) != 0 {
		t.Errorf("NextOffsets = %v, %v; want none", off, err)
	}
}
