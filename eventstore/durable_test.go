package eventstore

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func withSyncFS(fn func() error) EmbeddedOption {
	return func(c *embeddedConfig) { c.syncFS = fn }
}

// gatedSync is a sync that holds while its gate is shut and counts calls.
type gatedSync struct {
	calls atomic.Int64
	mu    sync.Mutex
	open  chan struct{} // closed while the gate is open
}

func newGatedSync() *gatedSync {
	g := &gatedSync{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gatedSync) sync() error {
	g.calls.Add(1)
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	<-open
	return nil
}

func (g *gatedSync) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

// release opens the gate; it may be called when it is open.
func (g *gatedSync) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// A wait that begins while a sync runs may have data that sync missed:
// it returns only after the next one.
func TestSyncGroupWaitsForASyncBegunAfterIt(t *testing.T) {
	first, second := make(chan struct{}), make(chan struct{})
	var n atomic.Int64
	started := make(chan int64, 2)
	g := newSyncGroup(func() error {
		k := n.Add(1)
		started <- k
		if k == 1 {
			<-first
		} else {
			<-second
		}
		return nil
	})
	aDone := make(chan error, 1)
	go func() { aDone <- g.wait() }()
	if k := <-started; k != 1 {
		t.Fatalf("first sync is #%d", k)
	}
	bDone := make(chan error, 1)
	go func() { bDone <- g.wait() }()
	waitForWaiters(t, g, 1) // B waits while sync #1 runs
	close(first)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-started:
		if k != 2 {
			t.Fatalf("second sync is #%d", k)
		}
	case <-bDone:
		t.Fatal("a wait that began during sync #1 returned without another sync")
	case <-time.After(10 * time.Second):
		t.Fatal("no second sync for the wait that began during sync #1")
	}
	select {
	case <-bDone:
		t.Fatal("a wait that began during sync #1 returned before sync #2 finished")
	case <-time.After(50 * time.Millisecond):
	}
	close(second)
	if err := <-bDone; err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d syncs, want 2", got)
	}
}

// Waits that begin while one sync runs share the next one.
func TestSyncGroupSharesASync(t *testing.T) {
	gate := make(chan struct{})
	var n atomic.Int64
	g := newSyncGroup(func() error {
		if n.Add(1) == 1 {
			<-gate
		}
		return nil
	})
	first := make(chan error, 1)
	go func() { first <- g.wait() }()
	for n.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	const waiters = 20
	var wg sync.WaitGroup
	errs := make(chan error, waiters)
	for range waiters {
		wg.Go(func() { errs <- g.wait() })
	}
	waitForWaiters(t, g, waiters) // all queued behind sync #1
	close(gate)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d syncs, want 2: the first, and one shared by the %d waits queued behind it", got, waiters)
	}
}

// waitForWaiters returns once n waits are blocked on a running sync.
func waitForWaiters(t *testing.T, g *syncGroup, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		w := g.waiting
		g.mu.Unlock()
		if w >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waits blocked, want %d", w, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// After a failed sync no wait succeeds: the kernel may have dropped what
// it could not write, and a later sync would not say so.
func TestSyncGroupFailureIsSticky(t *testing.T) {
	var n atomic.Int64
	g := newSyncGroup(func() error {
		if n.Add(1) == 2 {
			return errors.New("EIO")
		}
		return nil
	})
	if err := g.wait(); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	if err := g.wait(); err == nil {
		t.Fatal("the wait of a failed sync succeeded")
	}
	for i := range 3 {
		if err := g.wait(); err == nil {
			t.Fatalf("wait %d after the failure succeeded", i)
		}
	}
}

// The broker answers a produce, and hands out its records, only after a
// sync that began once they were written.
func TestEmbeddedAnswersWaitForTheSync(t *testing.T) {
	gs := newGatedSync()
	emb, err := StartEmbedded(t.TempDir(), 0, nil, withSyncFS(gs.sync))
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	log, err := NewKafkaLog(Config{Brokers: []string{emb.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	ctx := ctxT(t)
	if err := log.EnsureTopics(ctx, DefaultTopics(1, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := log.Append(ctx, TopicReports, Message{Key: []byte("a"), Value: []byte("first")}); err != nil {
		t.Fatal(err)
	}

	gs.shut()
	defer gs.release() // before the broker's close, which syncs
	before := gs.calls.Load()
	appended := make(chan error, 1)
	go func() {
		_, err := log.Append(ctx, TopicReports, Message{Key: []byte("a"), Value: []byte("second")})
		appended <- err
	}()
	fetched := make(chan error, 1)
	go func() {
		b, err := log.Fetch(ctx, TopicReports, 0, 1, 5*time.Second)
		if err == nil && (len(b.Records) != 1 || string(b.Records[0].Value) != "second") {
			err = fmt.Errorf("fetched %d records", len(b.Records))
		}
		fetched <- err
	}()
	select {
	case err := <-appended:
		t.Fatalf("append answered while the sync was held (err %v)", err)
	case err := <-fetched:
		t.Fatalf("fetch answered with the new record while the sync was held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	if gs.calls.Load() == before {
		t.Fatal("no sync was asked for the append")
	}
	gs.release()
	if err := <-appended; err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := <-fetched; err != nil {
		t.Fatalf("fetch: %v", err)
	}
}
