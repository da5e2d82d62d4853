package api

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSharedDeadlinesBoundEveryRequest(t *testing.T) {
	const timeout = 30 * time.Second
	s := sharedDeadlines{timeout: timeout}
	base := time.Now()
	for i := range 50 {
		start := base.Add(time.Duration(i) * 7 * time.Millisecond)
		ctx := s.context(start)
		dl, ok := ctx.Deadline()
		if !ok {
			t.Fatalf("request at +%v: no deadline", start.Sub(base))
		}
		if left := dl.Sub(start); left <= timeout || left > timeout+deadlineGrain {
			t.Fatalf("request at +%v: deadline %v after its start, want in (%v, %v]", start.Sub(base), left, timeout, timeout+deadlineGrain)
		}
	}
}

func TestSharedDeadlinesShareAWindowAndEnd(t *testing.T) {
	s := sharedDeadlines{timeout: 20 * time.Millisecond}
	start := time.Now().Truncate(deadlineGrain).Add(10 * time.Millisecond)
	a, b := s.context(start), s.context(start.Add(50*time.Millisecond))
	if a != b {
		t.Fatal("two requests in one window got different contexts")
	}
	if c := s.context(start.Add(deadlineGrain)); c == a {
		t.Fatal("a request in the next window got the previous window's context")
	}
	select {
	case <-a.Done():
		if !errors.Is(a.Err(), context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", a.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a shared request context never ended")
	}
}

func TestSharedDeadlinesConcurrentRequests(t *testing.T) {
	s := sharedDeadlines{timeout: time.Minute}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				start := time.Now()
				dl, ok := s.context(start).Deadline()
				if left := dl.Sub(start); !ok || left <= time.Minute || left > time.Minute+deadlineGrain {
					t.Errorf("deadline %v after start (ok %v)", left, ok)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkRequestContext compares a shared deadline with a context of
// its own per request, as common made one before.
func BenchmarkRequestContext(b *testing.B) {
	b.Run("shared", func(b *testing.B) {
		s := sharedDeadlines{timeout: DefaultRequestTimeout}
		b.ReportAllocs()
		for b.Loop() {
			if s.context(time.Now()).Err() != nil {
				b.Fatal("expired")
			}
		}
	})
	b.Run("own", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(context.Background(), DefaultRequestTimeout)
			if ctx.Err() != nil {
				b.Fatal("expired")
			}
			cancel()
		}
	})
}
