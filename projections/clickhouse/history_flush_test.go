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
)

// gatedConn counts batch inserts of history rows and offsets (not the
// closer's rollup_progress); until open is closed, the first one waits, so
// that the test can queue batches behind it.
type gatedConn struct {
	driver.Conn
	open    chan struct{}
	once    sync.Once
	inserts atomic.Int32
}

func (c *gatedConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	c.once.Do(func() { <-c.open })
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
	conn := &gatedConn{Conn: base.conn, open: make(chan struct{})}
	s := NewHistoryStore(conn, base.log)
	const parts, perPart = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, parts)
	for p := range parts {
		wg.Go(func() {
			batch := testReports(t, 0, perPart)
			for i := range batch {
				batch[i].Partition = p
			}
			errs <- s.ApplyReports(t.Context(), p, batch)
		})
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
