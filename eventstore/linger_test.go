package eventstore

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// lingering runs q.linger(max) as a drain would and returns how long it
// took.
func lingering(q *leaderQueue, max time.Duration) time.Duration {
	begin := time.Now()
	q.mu.Lock()
	q.linger(max, nil)
	q.mu.Unlock()
	return time.Since(begin)
}

// queued is a queue holding one piece of records messages and size
// bytes that arrived now, after appends spaced by spacing.
func queued(records, size int, spacing time.Duration) *leaderQueue {
	now := time.Now()
	pc := &piece{msgs: make([]Message, records), size: size}
	return &leaderQueue{pending: []*piece{pc}, bytes: size, records: records, oldest: now, newest: now, spacing: spacing}
}

// A request full by its bytes or by its count goes at once; one short of
// both waits.
func TestLingerSendsAFullRequestAtOnce(t *testing.T) {
	for _, q := range []*leaderQueue{queued(1, lingerFullBytes, time.Hour), queued(lingerFullRecords, 100, time.Hour)} {
		if d := lingering(q, time.Hour); d > time.Second {
			t.Fatalf("a full request (%d records, %d bytes) waited %v", q.records, q.bytes, d)
		}
	}
	q := queued(lingerFullRecords-1, lingerFullBytes-1, 50*time.Millisecond)
	if d := lingering(q, time.Hour); d < lingerQuiet*50*time.Millisecond {
		t.Fatalf("a request short of full went after %v", d)
	}
}

// Appends that stop coming end the wait after lingerQuiet times their
// recent spacing, long before the bound.
func TestLingerEndsWhenAppendsStop(t *testing.T) {
	q := queued(1, 100, 5*time.Millisecond)
	d := lingering(q, time.Hour)
	if d < lingerQuiet*5*time.Millisecond || d > 5*time.Second {
		t.Fatalf("waited %v after the last append, want %v and not much more", d, lingerQuiet*5*time.Millisecond)
	}
}

// Appends that keep coming do not hold a request past the bound, counted
// from when its oldest append queued.
func TestLingerEndsAtTheBound(t *testing.T) {
	const bound = 100 * time.Millisecond
	q := queued(1, 100, time.Millisecond)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond / 2)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				q.mu.Lock()
				pc := []*piece{{size: 1}}
				q.noteArrival(now, pc, bound)
				q.pending = append(q.pending, pc...)
				q.mu.Unlock()
			}
		}
	})
	d := lingering(q, bound)
	close(stop)
	wg.Wait()
	if d > bound+time.Second {
		t.Fatalf("waited %v, the bound is %v", d, bound)
	}
}

// An append that fills the request wakes the waiting drain.
func TestLingerWakesWhenTheRequestFills(t *testing.T) {
	q := queued(1, 100, time.Hour)
	go func() {
		time.Sleep(20 * time.Millisecond)
		q.mu.Lock()
		pc := []*piece{{size: lingerFullBytes, msgs: make([]Message, 1)}}
		q.noteArrival(time.Now(), pc, time.Hour)
		q.pending = append(q.pending, pc...)
		q.mu.Unlock()
	}()
	if d := lingering(q, time.Hour); d < 20*time.Millisecond || d > 5*time.Second {
		t.Fatalf("waited %v, want about 20ms, when the request filled", d)
	}
}

// Reports appended a few milliseconds apart, each of which would go
// alone without a linger, share produce requests; every one is written
// where its position says. Events on the same log are not held back.
func TestProduceLingerGathersReportsNotEvents(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	linger := 2 * time.Second
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, ProduceLinger: linger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	var mu sync.Mutex
	requests := 0
	b.emb.cluster.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		for _, tp := range req.(*kmsg.ProduceRequest).Topics {
			if tp.Topic == TopicReports {
				mu.Lock()
				requests++
				mu.Unlock()
			}
		}
		return nil, nil, false // observed only
	})
	ctx := ctxT(t)

	begin := time.Now()
	if _, err := l.Append(ctx, TopicEvents, Message{Key: []byte("admin"), Value: []byte("event")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > linger/4 {
		t.Fatalf("an event waited %v: events must not linger", d)
	}

	const n = 20
	pos := make([]Position, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Until(start.Add(time.Duration(i) * 2 * time.Millisecond)))
			p, err := l.Append(ctx, TopicReports, Message{Key: fmt.Appendf(nil, "server-%d", i), Value: fmt.Appendf(nil, "report-%d", i)})
			if err == nil {
				pos[i] = p[0]
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	got := requests
	mu.Unlock()
	// Reports 2ms apart would otherwise go one or two a request; the
	// linger may end early only where the scheduler paused the senders
	// for over 4 of their spacings.
	if got > n/4 {
		t.Fatalf("%d reports 2ms apart went in %d produce requests, want at most %d", n, got, n/4)
	}
	stored := readAll(t, l, TopicReports)
	for i, p := range pos {
		if r := stored[p.Partition][p.Offset]; string(r.Value) != fmt.Sprintf("report-%d", i) {
			t.Fatalf("%d/%d holds %q, want report-%d", p.Partition, p.Offset, r.Value, i)
		}
	}
}

// Close does not wait out a linger: the lingering append fails at once
// with ErrClosed, as any append still queued at Close does.
func TestCloseEndsALinger(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, ProduceLinger: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	// The layout is known from here on, and the next request lingers
	// until as many reports wait as this one carried.
	warm := make([]Message, 10)
	for i := range warm {
		warm[i] = Message{Key: []byte("warm"), Value: []byte("up")}
	}
	if _, err := l.Append(ctx, TopicReports, warm...); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := l.Append(ctx, TopicReports, Message{Key: []byte("late"), Value: []byte("report")})
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond) // the append lingers: alone, for half a second
	begin := time.Now()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 300*time.Millisecond {
		t.Fatalf("Close waited %v for a linger", d)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("the lingering append returned %v, want ErrClosed", err)
	}
}

// Once as many appends wait as the last answer left waiting plus those it
// freed, the request goes: callers in a closed loop are all back.
func TestLingerEndsWhenTheFreedCallersAreBack(t *testing.T) {
	q := queued(2, 100, time.Hour)
	q.expect = 3
	go func() {
		time.Sleep(20 * time.Millisecond)
		q.mu.Lock()
		pc := []*piece{{size: 50, msgs: make([]Message, 1)}}
		q.noteArrival(time.Now(), pc, time.Hour)
		q.pending = append(q.pending, pc...)
		q.mu.Unlock()
	}()
	if d := lingering(q, 3*time.Second); d < 20*time.Millisecond || d > time.Second {
		t.Fatalf("waited %v, want about 20ms, when the third append came", d)
	}
}

// Callers that append again only once answered do not wait out a linger
// each round: after the first, a request goes as soon as the callers the
// last answer freed are back.
func TestProduceLingerKeepsAClosedLoopMoving(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, ProduceLinger: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	ctx := ctxT(t)
	if _, err := l.Append(ctx, TopicReports, Message{Key: []byte("warm"), Value: []byte("up")}); err != nil {
		t.Fatal(err)
	}
	const callers, rounds = 8, 10
	errs := make([]error, callers)
	var wg sync.WaitGroup
	begin := time.Now()
	for c := range callers {
		wg.Go(func() {
			for r := range rounds {
				if _, err := l.Append(ctx, TopicReports, Message{Key: fmt.Appendf(nil, "server-%d", c), Value: fmt.Appendf(nil, "report-%d", r)}); err != nil {
					errs[c] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Waiting for a pause instead would take ~400ms a round here.
	if d := time.Since(begin); d > 1500*time.Millisecond {
		t.Fatalf("%d callers took %v for %d rounds", callers, d, rounds)
	}
}
