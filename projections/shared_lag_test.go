package projections

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// batchOf returns the records at offsets from..to-1.
func batchOf(from, to int64) []Decoded {
	b := make([]Decoded, 0, to-from)
	for o := from; o < to; o++ {
		b = append(b, Decoded{Offset: o})
	}
	return b
}

// readOrFail reads through s and fails the test when it fetches although
// want says it must not, or does not although it must.
func readOrFail(t *testing.T, s *sharedReads, k readKey, sink string, from int64, fetched bool, f fetchFunc) ([]Decoded, int64) {
	t.Helper()
	called := false
	b, next, err := s.read(context.Background(), k, sink, from, func(ctx context.Context, from int64) ([]Decoded, int64, error) {
		called = true
		return f(ctx, from)
	})
	if err != nil {
		t.Fatalf("%s at %d: %v", sink, from, err)
	}
	if called != fetched {
		t.Fatalf("%s at %d: fetched %v, want %v", sink, from, called, fetched)
	}
	return b, next
}

// A sink trailing another gets the records the other already read, from
// wherever it stands in them, as one batch and without fetching; once
// every sink has read past a batch it is dropped.
func TestSharedReadsServeATrailingSinkFromKeptBatches(t *testing.T) {
	var s sharedReads
	k := readKey{"reports", 0}
	fours := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		return batchOf(from, from+4), from + 4, nil
	}
	readOrFail(t, &s, k, "fast", 0, true, fours)
	readOrFail(t, &s, k, "slow", 0, false, fours)
	for from := int64(4); from <= 12; from += 4 {
		readOrFail(t, &s, k, "fast", from, true, fours)
	}
	b, next := readOrFail(t, &s, k, "slow", 2, false, fours)
	if len(b) != 14 || b[0].Offset != 2 || b[13].Offset != 15 || next != 16 {
		t.Fatalf("slow at 2 got %v next %d, want offsets 2 to 15, next 16", b, next)
	}
	// As the next batch starts, those both sinks are past go: [12,16)
	// stays for fast, which is at 12.
	readOrFail(t, &s, k, "slow", 16, true, fours)
	if got := froms(&s, k); fmt.Sprint(got) != "[12 16]" {
		t.Fatalf("kept batches from %v, want [12 16]", got)
	}
	// A sink behind everything kept fetches on its own.
	readOrFail(t, &s, k, "late", 1, true, fours)
}

// Offsets may have gaps (a compacted or transactional log): a trailing
// sink gets the records at or after its offset, or none with the batch's
// end when only a gap is left.
func TestSharedReadsSliceBatchesWithGaps(t *testing.T) {
	var s sharedReads
	k := readKey{"reports", 1}
	gappy := func(context.Context, int64) ([]Decoded, int64, error) {
		return []Decoded{{Offset: 0}, {Offset: 1}, {Offset: 5}}, 7, nil
	}
	readOrFail(t, &s, k, "fast", 0, true, gappy)
	b, next := readOrFail(t, &s, k, "slow", 3, false, gappy)
	if len(b) != 1 || b[0].Offset != 5 || next != 7 {
		t.Fatalf("at 3 got %v next %d, want offset 5, next 7", b, next)
	}
	b, next = readOrFail(t, &s, k, "slow", 6, false, gappy)
	if len(b) != 0 || next != 7 {
		t.Fatalf("at 6 got %v next %d, want nothing, next 7", b, next)
	}
}

// A sink that stops reading (its store is down) does not make the others
// keep every batch: past the budget the oldest go, and it fetches them
// itself when it comes back.
func TestSharedReadsKeepAtMostTheBudget(t *testing.T) {
	s := sharedReads{keep: 4096}
	k := readKey{"reports", 2}
	const size = 1024
	big := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		return batchOf(from, from+size), from + size, nil
	}
	readOrFail(t, &s, k, "stuck", 0, true, big)
	for from := int64(size); from < 20*size; from += size {
		readOrFail(t, &s, k, "fast", from, true, big)
		if n := keptRecords(&s, k); n > s.keep+size {
			t.Fatalf("after a read at %d, %d records kept, want at most %d", from, n, s.keep+size)
		}
	}
	readOrFail(t, &s, k, "stuck", size, true, big)
	// The newest batch stays whatever its size: a batch larger than the
	// budget is still shared by sinks reading in step.
	huge := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		return batchOf(from, from+2*4096), from + 2*4096, nil
	}
	readOrFail(t, &s, k, "fast", 20*size, true, huge)
	readOrFail(t, &s, k, "stuck", 20*size, false, huge)
}

// The budget is over all partitions: more partitions keep fewer records
// each, not more in all.
func TestSharedReadsShareTheBudgetAmongPartitions(t *testing.T) {
	s := sharedReads{keep: 4096}
	const parts, size = 8, 256
	batch := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		return batchOf(from, from+size), from + size, nil
	}
	// The projector joins every sink to every partition before reading.
	for p := range parts {
		s.join(readKey{"reports", p}, "stuck", 0)
		s.join(readKey{"reports", p}, "fast", 0)
	}
	for p := range parts {
		k := readKey{"reports", p}
		readOrFail(t, &s, k, "stuck", 0, true, batch)
		for from := int64(size); from < 40*size; from += size {
			readOrFail(t, &s, k, "fast", from, true, batch)
		}
	}
	total := 0
	for p := range parts {
		total += keptRecords(&s, readKey{"reports", p})
	}
	// The budget, and each partition's newest batch besides.
	if want := s.keep + parts*size; total > want {
		t.Fatalf("%d records kept over %d partitions, want at most %d", total, parts, want)
	}
}

// Two sinks reading the same partition at different paces, with batches
// of random sizes ending at random places, each see every offset once,
// in order, and together fetch little more than one of them would.
func TestSharedReadsConcurrentSinksSeeEveryOffsetOnce(t *testing.T) {
	var s sharedReads
	k := readKey{"reports", 3}
	// Fewer records than the budget: however far the slower sink falls
	// behind, what it needs is kept.
	const end = keepTotal / 24
	var fetched atomic.Int64
	fetch := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		to := min(from+1+rand.Int64N(300), end)
		fetched.Add(to - from)
		return batchOf(from, to), to, nil
	}
	for i := range 2 {
		s.join(k, fmt.Sprint("sink", i), 0)
	}
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			sink := fmt.Sprint("sink", i)
			var next int64
			for next < end {
				b, after, err := s.read(context.Background(), k, sink, next, fetch)
				if err != nil {
					t.Error(err)
					return
				}
				for _, d := range b {
					if d.Offset != next {
						t.Errorf("%s: offset %d where %d was due", sink, d.Offset, next)
						return
					}
					next++
				}
				if after != next {
					t.Errorf("%s: next %d after reading to %d", sink, after, next)
					return
				}
				if i == 1 && rand.IntN(4) == 0 {
					time.Sleep(50 * time.Microsecond) // the slower sink
				}
			}
		})
	}
	wg.Wait()
	if n := fetched.Load(); n > end*5/4 {
		t.Errorf("%d records fetched for two sinks reading %d: they hardly shared", n, end)
	}
}

func froms(s *sharedReads, k readKey) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, f := range s.keys[k].flights {
		out = append(out, f.from)
	}
	return out
}

func keptRecords(s *sharedReads, k readKey) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.keys[k].flights {
		n += len(f.batch)
	}
	return n
}

// A sink that joined but has not read yet keeps what the others read
// from its offset on: the projector joins every sink before any reads.
func TestSharedReadsKeepBatchesForAJoinedSink(t *testing.T) {
	var s sharedReads
	k := readKey{"reports", 4}
	fours := func(_ context.Context, from int64) ([]Decoded, int64, error) {
		return batchOf(from, from+4), from + 4, nil
	}
	s.join(k, "slow", 0)
	for from := int64(0); from <= 8; from += 4 {
		readOrFail(t, &s, k, "fast", from, true, fours)
	}
	b, next := readOrFail(t, &s, k, "slow", 0, false, fours)
	if len(b) != 12 || next != 12 {
		t.Fatalf("slow at 0 got %d records, next %d, want 12 and 12", len(b), next)
	}
}
