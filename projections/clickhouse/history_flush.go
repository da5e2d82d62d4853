package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
)

// Group commit. ClickHouse wants few, large inserts: every insert is a new
// part to merge later. Partitions are applied concurrently, so batches
// that arrive while a flush is out wait and go together in the next one:
// one insert into each table and one of all their offsets, whatever the
// number of partitions. Flushes are also spaced flushEvery apart, unless
// flushRows rows are waiting: at thousands of reports a second, inserts
// as fast as they return kept ClickHouse merging on most of a core.

const (
	// flushTimeout bounds one flush; it runs for callers that may give up.
	flushTimeout = time.Minute
	// defaultFlushEvery is the least time between the starts of flushes.
	defaultFlushEvery = 500 * time.Millisecond
	// flushRows waiting start a flush before flushEvery has passed.
	flushRows = 50000
)

// applyJob is one partition's batch waiting to be written.
type applyJob struct {
	partition int
	rows      []reportRow
	next      int64
	done      chan struct{}
	err       error
}

type flushQueue struct {
	mu      sync.Mutex
	pending []*applyJob
	rows    int           // in pending
	busy    bool          // a flushAll runs
	last    time.Time     // when the last flush started
	full    chan struct{} // signalled when rows reaches flushRows
}

// write queues job, starts a flush when none is out, and waits for the
// flush that carries it.
func (s *HistoryStore) write(ctx context.Context, job *applyJob) error {
	q := &s.flushes
	q.mu.Lock()
	q.pending = append(q.pending, job)
	q.rows += len(job.rows)
	if q.rows >= flushRows {
		select {
		case q.full <- struct{}{}:
		default:
		}
	}
	if !q.busy {
		q.busy = true
		s.flushers.Go(s.flushAll)
	}
	q.mu.Unlock()
	select {
	case <-job.done:
		return job.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flushAll flushes what is pending until nothing is.
func (s *HistoryStore) flushAll() {
	q := &s.flushes
	for {
		s.awaitFlushTime()
		q.mu.Lock()
		jobs := q.pending
		q.pending, q.rows = nil, 0
		select {
		case <-q.full: // a signal for rows this flush takes
		default:
		}
		if len(jobs) == 0 {
			q.busy = false
			q.mu.Unlock()
			return
		}
		q.last = time.Now()
		q.mu.Unlock()
		err := s.flush(jobs)
		for _, j := range jobs {
			j.err = err
			close(j.done)
		}
		if err == nil {
			s.closeRollups()
		}
	}
}

// awaitFlushTime waits until flushEvery has passed since the last flush
// started, or flushRows rows wait.
func (s *HistoryStore) awaitFlushTime() {
	q := &s.flushes
	q.mu.Lock()
	wait := time.Until(q.last.Add(s.flushEvery))
	enough := q.rows >= flushRows
	q.mu.Unlock()
	if wait <= 0 || enough {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-q.full:
	}
}

// flush writes jobs' rows, rolls up their late reports again, then writes
// their offsets. Until the offsets are
// written the partitions' cached offsets are forgotten: a failure after
// the rows makes them come again, and FINAL counts them once.
func (s *HistoryStore) flush(jobs []*applyJob) error {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	// The jobs' rows as they are: copied into one slice, they took 3.6%
	// of serve's CPU under batches at 240,000 reports/s (docs/PERFORMANCE.md).
	rows := make(rowBatches, len(jobs))
	for i, j := range jobs {
		s.forget(j.partition)
		rows[i] = j.rows
	}
	// The two tables are independent: their inserts go out together,
	// and the offsets only once both are in.
	var peerErr error
	var wg sync.WaitGroup
	wg.Go(func() { peerErr = s.insertPeerTraffic(ctx, rows) })
	err := s.insertReports(ctx, rows)
	wg.Wait()
	if err := errors.Join(err, peerErr); err != nil {
		return err
	}
	if err := s.rollUpLate(ctx, rows, s.now()); err != nil {
		return err
	}
	if err := s.writeOffsets(ctx, jobs); err != nil {
		return err
	}
	for _, j := range jobs {
		s.remember(j.partition, j.next)
	}
	return nil
}

// writeOffsets records each job's next offset, in one insert.
func (s *HistoryStore) writeOffsets(ctx context.Context, jobs []*applyJob) error {
	now := time.Now().UTC()
	n := len(jobs)
	projection, topic, parts, next, at := make([]string, n), make([]string, n), make([]uint16, n), make([]uint64, n), make([]time.Time, n)
	for i, j := range jobs {
		projection[i], topic[i], parts[i], next[i], at[i] = historyProjection, eventstore.TopicReports, uint16(j.partition), uint64(j.next), now
	}
	if err := s.insertColumns(ctx, "projection_offsets", sqlInsertOffset, projection, topic, parts, next, at); err != nil {
		return fmt.Errorf("offsets: %w", err)
	}
	return nil
}
