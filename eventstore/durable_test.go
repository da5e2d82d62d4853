package eventstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingSyncer is a syncer on a temporary directory whose sync counts
// its calls and blocks each until the test lets it go.
func countingSyncer(t *testing.T) (s *syncer, calls *atomic.Int32, release chan error) {
	t.Helper()
	s, err := newSyncer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	calls = &atomic.Int32{}
	release = make(chan error)
	s.sync = func(*os.File) error {
		calls.Add(1)
		return <-release
	}
	return s, calls, release
}

// Callers that arrive while a sync runs wait for the next one, as that
// one may have begun before their writes, and all of them share it.
func TestSyncGroupsCallersThatArriveDuringASync(t *testing.T) {
	s, calls, release := countingSyncer(t)
	first := make(chan error, 1)
	go func() { first <- s.Sync(context.Background()) }()
	waitFor(t, 10*time.Second, func() bool { return calls.Load() == 1 }, func() string { return "the first sync did not start" })

	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() { errs <- s.Sync(context.Background()) }()
	}
	waitFor(t, 10*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.next != nil && s.next.callers == n
	}, func() string { return "the callers did not join one round" })
	select {
	case err := <-errs:
		t.Fatalf("a caller returned before its own round: %v", err)
	default:
	}
	release <- nil // the first round
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	release <- nil // the round everyone else joined
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.Load(); got != 2 {
		t.Fatalf("%d syncs for 1 + %d callers, want 2", got, n)
	}
	go func() { release <- nil }() // close syncs once more
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 3 {
		t.Fatalf("close made %d syncs, want 1", got-2)
	}
	if err := s.Sync(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after close: %v, want ErrClosed", err)
	}
}

func TestSyncReportsTheDisksError(t *testing.T) {
	s, _, release := countingSyncer(t)
	go func() { release <- errors.New("input/output error") }()
	err := s.Sync(context.Background())
	if err == nil || err.Error() != fmt.Sprintf("sync %s: input/output error", s.dir.Name()) {
		t.Fatalf("Sync: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Sync(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync with a cancelled context: %v", err)
	}
	release <- nil // the round the cancelled caller started
	go func() { release <- nil }()
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
}

// An Append with Durable set returns only after Durable, which finds its
// records already acknowledged; when Durable fails, Append fails and
// does not write the records again.
func TestAppendWaitsForDurable(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "durable", Partitions: 2})
	var mu sync.Mutex
	var fail error
	var calls int
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, Durable: func(ctx context.Context) error {
		bounds, err := b.log.Bounds(ctx, "durable")
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		if end := bounds[0].End + bounds[1].End; end != int64(3*calls) {
			return fmt.Errorf("durable called with %d records acknowledged, want %d", end, 3*calls)
		}
		if err := b.emb.Sync(ctx); err != nil {
			return err
		}
		return fail
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	msgs := []Message{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("2")}, {Key: []byte("c"), Value: []byte("3")}}
	if _, err := l.Append(ctxT(t), "durable", msgs...); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	fail = errors.New("disk gone")
	mu.Unlock()
	_, err = l.Append(ctxT(t), "durable", msgs...)
	if err == nil || !errors.Is(err, fail) {
		t.Fatalf("Append with a failing Durable: %v", err)
	}
	t.Logf("append: %v", err)
	parts := readAll(t, b.log, "durable")
	if n := len(parts[0]) + len(parts[1]); n != 6 || calls != 2 {
		t.Fatalf("%d records in the log after %d Durable calls, want 6 after 2", n, calls)
	}
}

// The embedded broker's own Sync works on its data directory, and fails
// once the broker is closed.
func TestEmbeddedSync(t *testing.T) {
	emb, err := StartEmbedded(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := emb.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := emb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := emb.Sync(ctxT(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v, want ErrClosed", err)
	}
}

// While a request's records are being synced, its partition has no other
// request out: appends queued meanwhile wait, then go in one request.
func TestAppendsQueuedDuringASyncShareTheNextRequest(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "held", Partitions: 1})
	entered := make(chan struct{}, 10)
	release := make(chan struct{})
	var calls atomic.Int32
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, Durable: func(ctx context.Context) error {
		calls.Add(1)
		entered <- struct{}{}
		<-release
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendOne := func(v string) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := l.Append(ctxT(t), "held", Message{Key: []byte("k"), Value: []byte(v)})
			done <- err
		}()
		return done
	}
	first := appendOne("first")
	<-entered
	var later []chan error
	for i := range 5 {
		later = append(later, appendOne(fmt.Sprint("later-", i)))
	}
	waitFor(t, 10*time.Second, func() bool {
		n := 0
		l.queues.Range(func(_, v any) bool {
			q := v.(*leaderQueue)
			q.mu.Lock()
			n += len(q.pending)
			q.mu.Unlock()
			return true
		})
		return n == 5
	}, func() string { return "the later appends did not queue" })
	bounds, err := b.log.Bounds(ctxT(t), "held")
	if err != nil {
		t.Fatal(err)
	}
	if bounds[0].End != 1 {
		t.Fatalf("%d records written while the first one synced, want 1", bounds[0].End)
	}
	select {
	case err := <-first:
		t.Fatalf("the first append returned before its sync: %v", err)
	default:
	}
	release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-entered // the later appends' request
	release <- struct{}{}
	for _, done := range later {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("Durable called %d times, want 2 (one per request)", n)
	}
}
