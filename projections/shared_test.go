package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
)

// Two sinks reading the same partition at the same offset: one fetch.
func TestSharedReadsFetchOnceForTwoSinks(t *testing.T) {
	var s sharedReads
	var fetches atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context, from int64) ([]Decoded, int64, error) {
		fetches.Add(1)
		<-release
		return []Decoded{{Offset: from}, {Offset: from + 1}}, from + 2, nil
	}
	k := readKey{"t", 3}
	var wg sync.WaitGroup
	results := make([][]Decoded, 2)
	nexts := make([]int64, 2)
	for i := range 2 {
		wg.Go(func() {
			b, next, err := s.read(context.Background(), k, fmt.Sprint("sink", i), 10, fetch)
			if err != nil {
				t.Error(err)
			}
			results[i], nexts[i] = b, next
		})
	}
	// Let both reach read before the fetch returns.
	deadline := time.Now().Add(5 * time.Second)
	for fetches.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches", n)
	}
	for i := range 2 {
		if len(results[i]) != 2 || results[i][0].Offset != 10 || nexts[i] != 12 {
			t.Fatalf("reader %d got %+v next %d", i, results[i], nexts[i])
		}
	}
	// A reader arriving after the fetch finished still shares it.
	b, next, err := s.read(context.Background(), k, "sink0", 10, func(context.Context, int64) ([]Decoded, int64, error) {
		t.Fatal("fetched again although the batch at 10 was just read")
		return nil, 0, nil
	})
	if err != nil || len(b) != 2 || next != 12 {
		t.Fatalf("late reader: %v %v %v", b, next, err)
	}
	// Another offset, another partition: fetched.
	for _, tc := range []struct {
		k    readKey
		from int64
	}{{k, 12}, {readKey{"t", 4}, 10}, {k, eventstore.Earliest}} {
		called := false
		_, _, _ = s.read(context.Background(), tc.k, "sink0", tc.from, func(_ context.Context, from int64) ([]Decoded, int64, error) {
			called = true
			return nil, from, nil
		})
		if !called {
			t.Errorf("%v at %d was not fetched", tc.k, tc.from)
		}
	}
}

// An empty or failed read is never handed to the next reader: it must
// wait for records of its own.
func TestSharedReadsDoNotReuseEmptyOrFailedReads(t *testing.T) {
	var s sharedReads
	k := readKey{"t", 0}
	for _, res := range []struct {
		batch []Decoded
		err   error
	}{{nil, nil}, {[]Decoded{{Offset: 5}}, errors.New("decode failed")}} {
		_, _, _ = s.read(context.Background(), k, "a", 5, func(context.Context, int64) ([]Decoded, int64, error) {
			return res.batch, 5, res.err
		})
		called := false
		_, _, _ = s.read(context.Background(), k, "b", 5, func(context.Context, int64) ([]Decoded, int64, error) {
			called = true
			return nil, 5, nil
		})
		if !called {
			t.Errorf("read after %+v reused it", res)
		}
	}
}
