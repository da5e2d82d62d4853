package eventstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// gate is a Config.Durable that counts its calls, fails while fail is
// set, and blocks while held.
type gate struct {
	mu      sync.Mutex
	calls   int
	fail    error
	held    chan struct{} // non-nil: calls wait for it to close
	entered chan struct{} // receives one value per call
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 100)} }

func (g *gate) sync(ctx context.Context) error {
	g.mu.Lock()
	g.calls++
	held, fail := g.held, g.fail
	g.mu.Unlock()
	g.entered <- struct{}{}
	if held != nil {
		select {
		case <-held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fail
}

func (g *gate) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls
}

func durableLog(t *testing.T, b *broker, g *gate) *KafkaLog {
	t.Helper()
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, Durable: g.sync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

type fetched struct {
	b   Batch
	err error
}

func fetchAsync(t *testing.T, l *KafkaLog, topic string, offset int64) chan fetched {
	done := make(chan fetched, 1)
	go func() {
		b, err := l.Fetch(ctxT(t), topic, 0, offset, 5*time.Second)
		done <- fetched{b, err}
	}()
	return done
}

// A record the log appended is served to its fetches only once its sync
// ended, although the broker serves it to others at once; the fetch waits
// for the append's sync instead of syncing on its own.
func TestFetchWaitsForTheAppendsSync(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "gated", Partitions: 1})
	g := newGate()
	held := make(chan struct{})
	g.held = held
	l := durableLog(t, b, g)

	fetch := fetchAsync(t, l, "gated", 0)
	appended := make(chan error, 1)
	go func() {
		_, err := l.Append(ctxT(t), "gated", Message{Key: []byte("k"), Value: []byte("v")})
		appended <- err
	}()
	<-g.entered // the append's sync began: the broker acknowledged the record
	other, err := b.log.Fetch(ctxT(t), "gated", 0, 0, time.Second)
	if err != nil || len(other.Records) != 1 {
		t.Fatalf("a log without Durable fetched %d records (%v), want the 1 acknowledged", len(other.Records), err)
	}
	// The durable log's fetch has had the record from the broker by now
	// or will have it soon; it must not return it before the sync ends.
	select {
	case f := <-fetch:
		t.Fatalf("fetch returned %d records (%v) before their sync ended", len(f.b.Records), f.err)
	case <-time.After(300 * time.Millisecond):
	}
	close(held)
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
	f := <-fetch
	if f.err != nil || len(f.b.Records) != 1 || string(f.b.Records[0].Value) != "v" {
		t.Fatalf("fetch after the sync: %+v, %v", f.b.Records, f.err)
	}
	if n := g.count(); n != 1 {
		t.Fatalf("%d syncs, want 1: the fetch should have waited for the append's", n)
	}
}

// Records the log did not write (another client, or an earlier run) are
// served after a sync of the fetch's own, which covers the partition up
// to the high watermark it saw; a failing sync fails the fetch.
func TestFetchSyncsRecordsOthersWrote(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "others", Partitions: 1})
	for _, v := range []string{"1", "2", "3"} {
		if _, err := b.log.Append(ctxT(t), "others", Message{Key: []byte("k"), Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	g := newGate()
	g.fail = errors.New("disk gone")
	l := durableLog(t, b, g)
	if _, err := l.Fetch(ctxT(t), "others", 0, 0, time.Second); err == nil || !errors.Is(err, g.fail) {
		t.Fatalf("fetch with a failing sync: %v", err)
	}
	g.mu.Lock()
	g.fail = nil
	g.mu.Unlock()
	batch, err := l.Fetch(ctxT(t), "others", 0, 1, time.Second)
	if err != nil || len(batch.Records) != 2 {
		t.Fatalf("fetch from offset 1: %d records, %v", len(batch.Records), err)
	}
	batch, err = l.Fetch(ctxT(t), "others", 0, 0, time.Second)
	if err != nil || len(batch.Records) != 3 {
		t.Fatalf("fetch from offset 0: %d records, %v", len(batch.Records), err)
	}
	if n := g.count(); n != 2 {
		t.Fatalf("%d syncs, want 2 (one failed, one covering the high watermark)", n)
	}
}

// An append whose sync failed leaves its record unserved until a later
// sync, which the fetch makes itself.
func TestFetchAfterAFailedSyncSyncsAgain(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "retry", Partitions: 1})
	g := newGate()
	g.fail = errors.New("disk gone")
	l := durableLog(t, b, g)
	if _, err := l.Append(ctxT(t), "retry", Message{Key: []byte("k"), Value: []byte("v")}); !errors.Is(err, g.fail) {
		t.Fatalf("append with a failing sync: %v", err)
	}
	g.mu.Lock()
	g.fail = nil
	g.mu.Unlock()
	batch, err := l.Fetch(ctxT(t), "retry", 0, 0, time.Second)
	if err != nil || len(batch.Records) != 1 {
		t.Fatalf("fetch: %d records, %v", len(batch.Records), err)
	}
	if n := g.count(); n != 2 {
		t.Fatalf("%d syncs, want 2", n)
	}
}
