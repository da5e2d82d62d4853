package clickhouse

import "sync"

// spares keeps a few slices for reuse. A 72 h history query scans
// megabytes of rows; allocating them anew each time costs zeroing and
// brings the next garbage collection nearer, and a sync.Pool, emptied by
// every collection, would seldom have one to give.
type spares[T any] struct {
	mu   sync.Mutex
	free [][]T
}

const (
	maxSpares     = 4        // slices kept per kind
	maxSpareItems = 16 << 20 // larger slices are left to the collector
)

// get returns a slice of length 0 with room for n.
func (s *spares[T]) get(n int) []T {
	s.mu.Lock()
	for i, b := range s.free {
		if cap(b) >= n {
			s.free[i] = s.free[len(s.free)-1]
			s.free = s.free[:len(s.free)-1]
			s.mu.Unlock()
			return b[:0]
		}
	}
	s.mu.Unlock()
	return make([]T, 0, n)
}

// getZeroed returns a zeroed slice of length n.
func (s *spares[T]) getZeroed(n int) []T {
	b := s.get(n)[:n]
	clear(b)
	return b
}

// put keeps b for a later get, unless enough larger ones are kept.
func (s *spares[T]) put(b []T) {
	if cap(b) == 0 || cap(b) > maxSpareItems {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) < maxSpares {
		s.free = append(s.free, b)
		return
	}
	for i, f := range s.free {
		if cap(f) < cap(b) {
			s.free[i] = b
			return
		}
	}
}
