package projections

import (
	"context"
	"slices"
	"sort"
	"sync"
)

// sharedReads lets sinks reading the same topic partition (the status and
// history projections both read the reports) share fetches and decodes.
// A sink asking for the offset another sink is fetching waits for that
// fetch. A sink asking for an offset inside a batch read a little earlier
// gets the rest of that batch and of the batches after it, as one: the
// sinks apply at their own pace (the ClickHouse history flushes every
// half second, the status store sooner), so the slower one trails the
// faster by a batch or more, and would otherwise fetch and decode every
// report a second time. Batches are shared, so stores must not modify
// the batch they apply.
//
// A finished batch is kept until every sink that reads the partition
// (each joins before its first read) has asked for an offset past it,
// within a budget of keepTotal records over all partitions, shared out
// evenly, besides each partition's newest batch: a sink far behind (a
// store that was down) fetches on its own, and memory stays bounded
// however many partitions the topic has.
type sharedReads struct {
	mu   sync.Mutex
	keys map[readKey]*partReads
	keep int // the budget of kept records; zero means keepTotal
}

const (
	// keepTotal is the default budget of records of finished batches
	// kept over all partitions, besides each one's newest batch: at
	// 200,000 reports/s over 12 partitions, about a second of the slowest
	// sink's lag, ~120 MB of decoded reports at most.
	keepTotal = 12 * 16384
	// maxMerged bounds the records of kept batches handed out as one.
	maxMerged = 16384
)

// perPartition is the share of the kept-records budget of each
// partition. Called with s.mu held.
func (s *sharedReads) perPartition() int {
	total := s.keep
	if total == 0 {
		total = keepTotal
	}
	return max(total/max(len(s.keys), 1), 1)
}

type readKey struct {
	topic     string
	partition int
}

// partReads is one partition's recent reads.
type partReads struct {
	flights []*flight        // in the order they started
	at      map[string]int64 // sink -> the offset it last asked for
}

// flight is one fetch and decode from an offset.
type flight struct {
	from  int64
	done  chan struct{}
	batch []Decoded // finished: read only once done is closed
	next  int64     // the offset after the batch
	err   error
}

// fetchFunc fetches and decodes the records from an offset on, and
// returns them with the offset after them.
type fetchFunc func(ctx context.Context, from int64) ([]Decoded, int64, error)

// read returns sink's batch at from: the records from there on that
// batches already read hold, the batch in flight from the same offset,
// else one fetched by fetch. A finished empty read is not reused (the
// next read must wait for new records), nor is a failed one.
func (s *sharedReads) read(ctx context.Context, k readKey, sink string, from int64, fetch fetchFunc) ([]Decoded, int64, error) {
	if from < 0 {
		return fetch(ctx, from)
	}
	s.mu.Lock()
	pr := s.part(k)
	pr.at[sink] = from
	for {
		if b, next, ok := pr.kept(from); ok {
			s.mu.Unlock()
			return b, next, nil
		}
		f := pr.inFlight(from)
		if f == nil {
			break
		}
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, from, ctx.Err()
		}
		if f.usable() {
			return f.batch, f.next, nil
		}
		s.mu.Lock()
		pr.drop(f)
	}
	f := &flight{from: from, done: make(chan struct{})}
	pr.flights = append(pr.flights, f)
	pr.trim(s.perPartition())
	s.mu.Unlock()
	f.batch, f.next, f.err = fetch(ctx, from)
	close(f.done)
	return f.batch, f.next, f.err
}

// join registers sink as a reader of k from offset from on, before its
// first read: until then, batches other sinks read would be dropped as
// soon as they had read past them.
func (s *sharedReads) join(k readKey, sink string, from int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.part(k).at[sink] = max(from, 0) // a negative from is the partition's start
}

func (s *sharedReads) part(k readKey) *partReads {
	if s.keys == nil {
		s.keys = map[readKey]*partReads{}
	}
	pr := s.keys[k]
	if pr == nil {
		pr = &partReads{at: map[string]int64{}}
		s.keys[k] = pr
	}
	return pr
}

// kept returns the records from offset from on that finished batches
// hold, up to maxMerged: the rest of the batch holding from, and the
// batches after it. A sink that trails by several batches (the history
// store applies twice a second) gets them as one, as its own fetch would
// have returned them; one apply per batch would never catch up.
func (pr *partReads) kept(from int64) ([]Decoded, int64, bool) {
	var parts [][]Decoded
	n, next, i := 0, from, 0
	for n < maxMerged {
		var f *flight
		if i, f = pr.holding(next, i); f == nil {
			break
		}
		b := f.batch
		j := sort.Search(len(b), func(j int) bool { return b[j].Offset >= next })
		parts = append(parts, b[j:])
		n += len(b) - j
		next = f.next
	}
	switch len(parts) {
	case 0:
		return nil, from, false
	case 1:
		return parts[0], next, true
	}
	out := make([]Decoded, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, next, true
}

// holding returns the finished, usable flight whose batch holds offset,
// if any, and its index. It looks from index hint on first, then from
// the start: the batch after a batch mostly started right after it.
func (pr *partReads) holding(offset int64, hint int) (int, *flight) {
	for k := range pr.flights {
		i := (hint + k) % len(pr.flights)
		if f := pr.flights[i]; f.finished() && f.usable() && f.from <= offset && offset < f.next {
			return i, f
		}
	}
	return hint, nil
}

// inFlight returns the flight from offset, finished or not, that is not
// known to be unusable.
func (pr *partReads) inFlight(offset int64) *flight {
	for _, f := range pr.flights {
		if f.from == offset && !(f.finished() && !f.usable()) {
			return f
		}
	}
	return nil
}

// trim drops the finished flights no sink needs any more: empty or
// failed ones, those every sink has read past, and the oldest beyond
// limit records. The newest flight stays whatever its size. It runs as a
// flight starts: kept batches change only when new records come.
func (pr *partReads) trim(limit int) {
	low, seen := int64(0), false
	for _, at := range pr.at {
		if !seen || at < low {
			low, seen = at, true
		}
	}
	last := len(pr.flights) - 1
	stale := func(i int) bool {
		f := pr.flights[i]
		return i < last && f.finished() && (!f.usable() || f.next <= low)
	}
	// Finished flights before oldest are beyond limit.
	oldest, kept := 0, 0
	for i := last - 1; i >= 0; i-- {
		if f := pr.flights[i]; f.finished() && !stale(i) {
			if kept += len(f.batch); kept > limit {
				oldest = i + 1
				break
			}
		}
	}
	out := pr.flights[:0]
	for i, f := range pr.flights {
		if stale(i) || (i < oldest && f.finished()) {
			continue
		}
		out = append(out, f)
	}
	clear(pr.flights[len(out):])
	pr.flights = out
}

// drop removes f.
func (pr *partReads) drop(f *flight) {
	if i := slices.Index(pr.flights, f); i >= 0 {
		pr.flights = slices.Delete(pr.flights, i, i+1)
	}
}

func (f *flight) finished() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}

// usable reports whether a finished flight can be handed out.
func (f *flight) usable() bool { return f.err == nil && len(f.batch) > 0 }
