package memhistory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// ErrInvalidQuery is returned for a history query whose Step is not
// positive.
var ErrInvalidQuery = errors.New("invalid history query")

// History returns one point per server and bucket of q.Step that holds at
// least one report in [q.From, q.To), sorted by server id, then time.
// Buckets start at multiples of q.Step since the Unix epoch.
func (s *Store) History(ctx context.Context, q projections.HistoryQuery) ([]projections.HistoryPoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memhistory: history: %w", err)
	}
	if q.Step <= 0 {
		return nil, fmt.Errorf("memhistory: history: step %v: %w", q.Step, ErrInvalidQuery)
	}
	from, to := unixNanos(q.From), unixNanos(q.To)
	if from >= to {
		return []projections.HistoryPoint{}, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []projections.HistoryPoint{}
	for _, id := range s.serverIDs(q.ServerIDs) {
		pts := s.series[id]
		lo := sort.Search(len(pts), func(i int) bool { return pts[i].at >= from })
		hi := sort.Search(len(pts), func(i int) bool { return pts[i].at >= to })
		out = appendBuckets(out, id, pts[lo:hi], int64(q.Step))
	}
	return out, nil
}

// serverIDs returns the sorted, distinct ids to answer for: the filter,
// or every server when it is empty. The caller holds s.mu.
func (s *Store) serverIDs(filter []string) []string {
	var ids []string
	if len(filter) == 0 {
		ids = make([]string, 0, len(s.series))
		for id := range s.series {
			ids = append(ids, id)
		}
	} else {
		ids = slices.Clone(filter)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// appendBuckets appends the buckets of one server's time-ordered points.
func appendBuckets(out []projections.HistoryPoint, id string, pts []point, step int64) []projections.HistoryPoint {
	for len(pts) > 0 {
		start := floorDiv(pts[0].at, step) * step
		var sum float64
		var ok int
		n := 0
		for n < len(pts) && floorDiv(pts[n].at, step)*step == start {
			if pts[n].pingOK {
				sum += pts[n].pingMS
				ok++
			}
			n++
		}
		last := pts[n-1]
		hp := projections.HistoryPoint{
			ServerID:   id,
			TransferRx: last.rx,
			TransferTx: last.tx,
			RecordedAt: time.Unix(0, start).UTC(),
		}
		if ok > 0 {
			avg := sum / float64(ok)
			hp.PingMS = &avg
		}
		out = append(out, hp)
		pts = pts[n:]
	}
	return out
}

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// unixNanos is t in Unix nanoseconds, clamped to the int64 range (the
// zero time and times after 2262 do not fit).
func unixNanos(t time.Time) int64 {
	const maxSec = math.MaxInt64 / int64(time.Second)
	switch sec := t.Unix(); {
	case sec <= -maxSec:
		return math.MinInt64
	case sec >= maxSec:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Prune drops every report before the given time. Offsets are kept.
func (s *Store) Prune(ctx context.Context, before time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memhistory: prune: %w", err)
	}
	cut := unixNanos(before)
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, pts := range s.series {
		i := sort.Search(len(pts), func(i int) bool { return pts[i].at >= cut })
		switch {
		case i == len(pts):
			delete(s.series, id)
		case i > 0:
			// Copy so the dropped prefix can be freed.
			s.series[id] = slices.Clone(pts[i:])
		}
	}
	return nil
}
