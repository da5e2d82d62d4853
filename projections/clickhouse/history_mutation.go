package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// maxDateTime is the last second a DateTime holds.
const maxDateTime = math.MaxUint32

// mutationWait bounds how long Reset waits for its delete to finish.
const mutationWait = time.Minute

// errMutationPending is returned when a mutation does not finish in time.
var errMutationPending = errors.New("mutation still running")

// awaitMutations polls until table has no unfinished mutation. ClickHouse
// 18.16 runs ALTER ... DELETE asynchronously and has no mutations_sync.
func (s *HistoryStore) awaitMutations(ctx context.Context, table string) error {
	ctx, cancel := context.WithTimeout(ctx, mutationWait)
	defer cancel()
	delay := 5 * time.Millisecond
	for {
		var pending uint64
		err := s.conn.QueryRow(ctx, `SELECT count() FROM system.mutations
			WHERE database = currentDatabase() AND table = ? AND is_done = 0`, table).Scan(&pending)
		if err != nil {
			return fmt.Errorf("await mutations of %s: %w", table, err)
		}
		if pending == 0 {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("await mutations of %s: %w (%w)", table, errMutationPending, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}
