package clickhouse

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Cancelling an insert's context once the insert has returned must not
// close the connection under whichever query takes it from the pool next.
// clickhouse-go before v2.51.0 could: the watchdog of a batch's Send
// outlived it. Busy goroutines keep the scheduler late, as in CI.
func TestCancelAfterInsertLeavesThePoolUsable(t *testing.T) {
	s := newTestHistoryStore(t)
	ctx := t.Context()
	spin, stop := context.WithCancel(ctx)
	defer stop()
	for range 3 {
		go func() {
			for spin.Err() == nil {
			}
		}()
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 30 {
				insert, cancel := context.WithCancel(ctx)
				err := s.insertColumns(insert, "rollup_progress", sqlInsertProgress,
					[]uint32{60}, []time.Time{rollupT0}, []time.Time{rollupT0})
				cancel()
				if err != nil {
					t.Errorf("worker %d, insert %d: %v", w, i, err)
					return
				}
				if _, err := s.readClosed(ctx, 60); err != nil {
					t.Errorf("worker %d, read after insert %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
