// Package memhistory is the in-memory projections.HistoryStore of the
// embedded default. It is rebuilt from the reports topic at boot, so it
// favours fast appends: per server a time-ordered slice of compact points.
//
// Times keep full (nanosecond) precision. The ClickHouse store truncates
// reported_at to whole seconds, so the two answer alike only for reports on
// whole seconds (which is what agents send in practice and what the
// contract suite uses).
package memhistory

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ErrInvalidBatch is returned for a batch whose records do not belong to
// the partition it is applied to or carry a negative offset.
var ErrInvalidBatch = projections.ErrInvalidBatch

// point is one report of one server, reduced to what history needs.
type point struct {
	at        int64 // reported_at, Unix nanoseconds
	partition int32
	offset    int64
	pingMS    float64
	pingOK    bool
	rx, tx    uint64
}

// before orders points by time, then log position, so the last point of a
// bucket is the latest report (ties: the one appended last).
func (p point) before(q point) bool {
	if p.at != q.at {
		return p.at < q.at
	}
	if p.partition != q.partition {
		return p.partition < q.partition
	}
	return p.offset < q.offset
}

// Store is an in-memory projections.HistoryStore, safe for concurrent use.
type Store struct {
	mu     sync.RWMutex
	series map[string][]point // server id → points ordered by point.before
	next   map[int]int64      // reports partition → next offset to apply
	keep   time.Duration      // KeepFor; zero keeps every report
}

// Option changes how New makes a store.
type Option func(*Store)

// KeepFor makes the store leave out, as it applies them, reports taken
// more than d before now: those the history serves and Prune keeps. At
// boot the store is rebuilt from the reports topic, which keeps reports
// longer (7 days by default); without KeepFor the older ones would be
// held in memory until the first Prune.
func KeepFor(d time.Duration) Option { return func(s *Store) { s.keep = d } }

var _ projections.HistoryStore = (*Store)(nil)

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{series: make(map[string][]point), next: make(map[int]int64)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// ApplyReports stores the server_reported events of batch, all from
// partition. Records below the partition's next offset are skipped, so a
// batch delivered twice is applied once. Other event types only advance
// the offset.
func (s *Store) ApplyReports(ctx context.Context, partition int, batch []projections.Decoded) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memhistory: apply reports: %w", err)
	}
	if err := projections.CheckBatch(partition, batch); err != nil {
		return fmt.Errorf("memhistory: apply reports to partition %d: %w", partition, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.next[partition]
	applied := false
	oldest := int64(math.MinInt64)
	if s.keep > 0 {
		oldest = time.Now().Add(-s.keep).UnixNano()
	}
	for _, d := range batch {
		if d.Offset < next {
			continue
		}
		next, applied = d.Offset+1, true
		r, ok := projections.ReportOf(d.Event)
		if !ok {
			continue
		}
		if at := r.ReportedAt.UnixNano(); at >= oldest {
			s.insert(r.ServerID, point{
				at:        at,
				partition: int32(partition),
				offset:    d.Offset,
				pingMS:    r.PingMS,
				pingOK:    r.PingOK,
				rx:        r.TransferRx,
				tx:        r.TransferTx,
			})
		}
	}
	if applied {
		s.next[partition] = next
	}
	return nil
}

// insert adds p to the server's series, in place when it is out of order.
// The caller holds s.mu for writing.
func (s *Store) insert(serverID string, p point) {
	pts := s.series[serverID]
	i := len(pts)
	if i > 0 && p.before(pts[i-1]) {
		// Reports arrive almost always in order; search only when not.
		i = sort.Search(len(pts), func(j int) bool { return p.before(pts[j]) })
	}
	pts = slices.Insert(pts, i, p)
	s.series[serverID] = pts
}

// NextOffsets returns the next offset to apply of every reports partition
// seen; other topics have none.
func (s *Store) NextOffsets(ctx context.Context, topic string) (map[int]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memhistory: next offsets: %w", err)
	}
	if topic != eventstore.TopicReports {
		return map[int]int64{}, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.next), nil
}

// Reset empties the store, offsets included.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memhistory: reset: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.series = make(map[string][]point)
	s.next = make(map[int]int64)
	return nil
}
