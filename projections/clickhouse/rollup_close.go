package clickhouse

import (
	"context"
	"fmt"
	"time"
)

// closeTimeout bounds one closer run.
const closeTimeout = time.Minute

// closedTo is this store's copy of rollup_progress: per width, the end of
// the buckets the rollups are complete for (Unix seconds).
type closedTo struct {
	by   map[uint32]uint64
	read time.Time // when by was last read from rollup_progress
}

// closeRollups runs the closer for every width whose buckets are due. A
// failure is logged: History then reads reports for longer, and the next
// flush tries again.
func (s *HistoryStore) closeRollups() {
	if s.stop.Err() != nil {
		return
	}
	now := s.now()
	for _, w := range rollupWidths {
		due := floorTo(uint64(max(now.Add(-rollupGrace).Unix(), 0)), w)
		s.mu.Lock()
		done := s.closed.by[w] >= due
		s.mu.Unlock()
		if done {
			continue
		}
		ctx, cancel := context.WithTimeout(s.stop, closeTimeout)
		err := s.closeWidth(ctx, w, due)
		cancel()
		if err != nil && s.stop.Err() != nil {
			s.log.Debug("clickhouse history: closing rollups stopped by Close", logKeyWidth, w)
			return
		}
		if err != nil {
			s.log.Warn("clickhouse history: closing rollups failed; history reads more reports until it succeeds",
				logKeyWidth, w, logKeyErr, err)
			return
		}
	}
}

// closeWidth rolls up every server's buckets of width w from the recorded
// closed_to (or the first report) up to due, at most closeSpan at a time,
// and records how far it got. Stretches without reports are skipped.
func (s *HistoryStore) closeWidth(ctx context.Context, w uint32, due uint64) error {
	closed, err := s.readClosed(ctx, w)
	if err != nil {
		return err
	}
	if closed >= due {
		s.noteClosed(w, closed)
		return nil
	}
	var (
		first uint32
		n     uint64
	)
	if err := s.conn.QueryRow(ctx, `SELECT toUInt32(min(reported_at)), count() FROM reports
		WHERE reported_at >= toDateTime(?) AND reported_at < toDateTime(?)`, closed, due).Scan(&first, &n); err != nil {
		return fmt.Errorf("close rollups of width %d: find reports: %w", w, err)
	}
	to := due
	if n > 0 {
		from := floorTo(uint64(first), w)
		to = min(due, from+closeSpan)
		if err := s.rollUp(ctx, []uint32{w}, from, to, ""); err != nil {
			return fmt.Errorf("close rollups of width %d: %w", w, err)
		}
	}
	err = s.insertColumns(ctx, "rollup_progress", sqlInsertProgress,
		[]uint32{w}, []time.Time{time.Unix(int64(to), 0).UTC()}, []time.Time{s.now().UTC()})
	if err != nil {
		return fmt.Errorf("close rollups of width %d: %w", w, err)
	}
	s.noteClosed(w, to)
	return nil
}

// readClosed reads width w's closed_to from rollup_progress, 0 if none.
func (s *HistoryStore) readClosed(ctx context.Context, w uint32) (uint64, error) {
	var closed uint32
	err := s.conn.QueryRow(ctx, "SELECT toUInt32(max(closed_to)) FROM rollup_progress WHERE width = ?", w).Scan(&closed)
	if err != nil {
		return 0, fmt.Errorf("read closed_to of width %d: %w", w, err)
	}
	return uint64(closed), nil
}

// noteClosed raises the copy of width w's closed_to.
func (s *HistoryStore) noteClosed(w uint32, to uint64) {
	s.mu.Lock()
	s.closed.by[w] = max(s.closed.by[w], to)
	s.mu.Unlock()
}

// closedWidths returns the copy of closed_to, read again from
// rollup_progress when older than rollupRefresh.
func (s *HistoryStore) closedWidths(ctx context.Context) (map[uint32]uint64, error) {
	s.mu.Lock()
	fresh := s.now().Sub(s.closed.read) < rollupRefresh
	out := make(map[uint32]uint64, len(s.closed.by))
	for w, to := range s.closed.by {
		out[w] = to
	}
	s.mu.Unlock()
	if fresh {
		return out, nil
	}
	rows, err := s.conn.Query(ctx, "SELECT width, toUInt32(max(closed_to)) FROM rollup_progress GROUP BY width")
	if err != nil {
		return nil, fmt.Errorf("read rollup_progress: %w", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var (
			w  uint32
			to uint32
		)
		if err := rows.Scan(&w, &to); err != nil {
			return nil, fmt.Errorf("read rollup_progress: %w", err)
		}
		out[w] = max(out[w], uint64(to))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rollup_progress: %w", err)
	}
	s.mu.Lock()
	for w, to := range out {
		s.closed.by[w] = max(s.closed.by[w], to)
	}
	s.closed.read = s.now()
	s.mu.Unlock()
	return out, nil
}

// floorTo rounds sec down to a multiple of w.
func floorTo(sec uint64, w uint32) uint64 {
	return sec - sec%uint64(w)
}
