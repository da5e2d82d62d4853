package clickhouse

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// gatedConn counts batch inserts of history rows and offsets (not the
// closer's rollup_progress); the first one closes reached and, until open
// is closed, waits, so that the test can queue batches behind it.
type gatedConn struct {
	driver.Conn
	reached, open chan struct{}
	once          sync.Once
	inserts       atomic.Int32
}

func (c *gatedConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	c.once.Do(func() {
		close(c.reached)
		<-c.open
	})
	if !strings.HasPrefix(query, sqlInsertProgress) {
		c.inserts.Add(1)
	}
	return c.Conn.PrepareBatch(ctx, query, opts...)
}

// Batches of several partitions applied while a flush is out go together
// in the next one: two flushes of three inserts each for eight batches,
// and every row and offset lands.
func TestConcurrentAppliesShareInserts(t *testing.T) {
	base := newTestHistoryStore(t)
	conn := &gatedConn{Conn: base.conn, reached: make(chan struct{}), open: make(chan struct{})}
	s := NewHistoryStore(conn, base.log)
	const parts, perPart = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, parts)
	apply := func(p int) {
		wg.Go(func() {
			batch := testReports(t, 0, perPart)
			for i := range batch {
				batch[i].Partition = p
			}
			errs <- s.ApplyReports(t.Context(), p, batch)
		})
	}
	// The first batch alone, so that the first flush carries it alone.
	apply(0)
	select {
	case <-conn.reached:
	case <-time.After(10 * time.Second):
		t.Fatal("the first flush did not start")
	}
	for p := 1; p < parts; p++ {
		apply(p)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.flushes.mu.Lock()
		queued := len(s.flushes.pending)
		s.flushes.mu.Unlock()
		if queued == parts-1 { // one flush out, waiting at the gate
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batches queued behind the first flush, want %d", queued, parts-1)
		}
		time.Sleep(time.Millisecond)
	}
	close(conn.open)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := conn.inserts.Load(); n != 6 {
		t.Errorf("%d inserts for %d batches, want 6 (two flushes: reports, peer traffic, offsets)", n, parts)
	}
	next, err := s.NextOffsets(t.Context(), eventstore.TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	for p := range parts {
		if next[p] != perPart {
			t.Errorf("partition %d: next offset %d, want %d", p, next[p], perPart)
		}
	}
	var rows uint64
	if err := base.conn.QueryRow(t.Context(), "SELECT count() FROM reports FINAL").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != parts*perPart {
		t.Errorf("%d report rows, want %d", rows, parts*perPart)
	}
}

// countingConn counts inserts into reports.
type countingConn struct {
	driver.Conn
	inserts atomic.Int32
}

func (c *countingConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	if strings.HasPrefix(query, sqlInsertReports) {
		c.inserts.Add(1)
	}
	return c.Conn.PrepareBatch(ctx, query, opts...)
}

// Partitions applying batch after batch for a second get their rows into
// a handful of inserts, flushEvery apart, and every row lands.
func TestFlushesAreSpaced(t *testing.T) {
	base := newTestHistoryStore(t)
	conn := &countingConn{Conn: base.conn}
	s := NewHistoryStore(conn, base.log)
	s.flushEvery = 200 * time.Millisecond
	const parts, perBatch = 4, 20
	start := time.Now()
	var (
		wg      sync.WaitGroup
		batches atomic.Int32
	)
	for p := range parts {
		wg.Go(func() {
			for off := int64(0); time.Since(start) < time.Second; off += perBatch {
				batch := testReports(t, off, perBatch)
				for i := range batch {
					batch[i].Partition = p
				}
				if err := s.ApplyReports(t.Context(), p, batch); err != nil {
					t.Error(err)
					return
				}
				batches.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	maxInserts := int32(elapsed/s.flushEvery) + 2
	if n := conn.inserts.Load(); n > maxInserts || n < 2 {
		t.Errorf("%d batches in %v went in %d inserts, want 2..%d", batches.Load(), elapsed, n, maxInserts)
	}
	if batches.Load() <= conn.inserts.Load() {
		t.Errorf("%d batches in %d inserts: nothing was grouped", batches.Load(), conn.inserts.Load())
	}
	next, err := s.NextOffsets(t.Context(), eventstore.TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	var want uint64
	for p := range parts {
		want += uint64(next[p])
	}
	var rows uint64
	if err := base.conn.QueryRow(t.Context(), "SELECT count() FROM reports FINAL").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != want || want != uint64(batches.Load())*perBatch {
		t.Errorf("%d report rows, %d by the offsets, want %d", rows, want, batches.Load()*perBatch)
	}
}

// A flush whose peer_traffic insert fails, while the reports insert beside
// it succeeds, keeps its offsets: the batch comes again and is counted
// once.
func TestFlushWithAFailedInsertKeepsItsOffsets(t *testing.T) {
	s := newTestHistoryStore(t)
	ctx := t.Context()
	batch := testReports(t, 0, 300)
	q := projections.HistoryQuery{
		From: time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC),
		Step: 7 * time.Second,
	}
	if err := s.conn.Exec(ctx, "RENAME TABLE peer_traffic TO peer_traffic_away"); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if err := s.ApplyReports(ctx, 0, batch); err == nil {
		t.Fatal("ApplyReports succeeded without a peer_traffic table")
	}
	var rows uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM reports").Scan(&rows); err != nil {
		t.Fatalf("count: %v", err)
	}
	t.Logf("reports rows after the failed flush: %d", rows)
	next, err := s.NextOffsets(ctx, eventstore.TopicReports)
	if err != nil {
		t.Fatalf("NextOffsets: %v", err)
	}
	if next[0] != 0 {
		t.Fatalf("next offset %d after a failed flush, want 0", next[0])
	}
	if err := s.conn.Exec(ctx, "RENAME TABLE peer_traffic_away TO peer_traffic"); err != nil {
		t.Fatalf("rename back: %v", err)
	}
	if err := s.ApplyReports(ctx, 0, batch); err != nil {
		t.Fatalf("ApplyReports again: %v", err)
	}
	if next, err := s.NextOffsets(ctx, eventstore.TopicReports); err != nil || next[0] != int64(len(batch)) {
		t.Fatalf("next offsets %v, %v; want %d", next, err, len(batch))
	}
	got, err := s.History(ctx, q)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	fresh := newTestHistoryStore(t)
	if err := fresh.ApplyReports(ctx, 0, batch); err != nil {
		t.Fatalf("ApplyReports to a fresh store: %v", err)
	}
	want, err := fresh.History(ctx, q)
	if err != nil {
		t.Fatalf("History of the fresh store: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("History after the retry: no points")
	}
	checkPoints(t, "History after the retry (counted twice?)", got, want)
}
