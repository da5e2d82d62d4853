package projections_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memhistory"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// fixedLog is an eventstore.Log over fixed records, one partition per
// topic; it counts the fetches per offset.
type fixedLog struct {
	records map[string][]eventstore.Record

	mu      sync.Mutex
	fetches map[int64]int
}

func (l *fixedLog) Append(context.Context, string, ...eventstore.Message) ([]eventstore.Position, error) {
	panic("fixedLog: Append")
}

func (l *fixedLog) Fetch(ctx context.Context, topic string, _ int, offset int64, maxWait time.Duration) (eventstore.Batch, error) {
	recs := l.records[topic]
	end := int64(len(recs))
	if topic == eventstore.TopicEvents {
		l.mu.Lock()
		l.fetches[offset]++
		l.mu.Unlock()
	}
	if offset >= end {
		t := time.NewTimer(maxWait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return eventstore.Batch{}, ctx.Err()
		case <-t.C:
		}
		return eventstore.Batch{Next: offset, HighWatermark: end}, nil
	}
	return eventstore.Batch{Records: recs[offset:], Next: end, HighWatermark: end}, nil
}

func (l *fixedLog) fetchesAt(offset int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fetches[offset]
}

func (l *fixedLog) Bounds(_ context.Context, topic string) ([]eventstore.PartitionBounds, error) {
	return []eventstore.PartitionBounds{{Start: 0, End: int64(len(l.records[topic]))}}, nil
}

func (l *fixedLog) Partitions(context.Context, string) (int, error) { return 1, nil }

func (l *fixedLog) CommitOffsets(context.Context, string, string, map[int]int64) error { return nil }

func (l *fixedLog) CommittedOffsets(context.Context, string, string) (map[int]int64, error) {
	return map[int]int64{}, nil
}

func (l *fixedLog) Close() error { return nil }

// TestProjectorNeverSkipsUndecodable: a record that cannot be decoded stops
// its partition; the projector reads it again and again and does not apply
// the valid record behind it.
func TestProjectorNeverSkipsUndecodable(t *testing.T) {
	env, err := domain.NewEvent(domain.SettingsChanged{Key: "k", Value: "v"}, "settings", 0, domain.ActorSystem, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	good, err := domain.Encode(env)
	if err != nil {
		t.Fatal(err)
	}
	l := &fixedLog{fetches: map[int64]int{}, records: map[string][]eventstore.Record{
		eventstore.TopicEvents: {
			{Topic: eventstore.TopicEvents, Offset: 0, Value: []byte(`{"v":1,"type":"from_the_future"}`)},
			{Topic: eventstore.TopicEvents, Offset: 1, Value: good},
		},
	}}
	state := memstate.New(nil)
	p := projections.NewProjector(l, state, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	deadline := time.Now().Add(10 * time.Second)
	for l.fetchesAt(0) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the undecodable record was fetched %d times, want it read again", l.fetchesAt(0))
		}
		time.Sleep(10 * time.Millisecond) // poll
	}
	if _, err := p.Lag(ctx); err == nil {
		t.Error("Lag reports no error while a record cannot be decoded")
	}
	next, err := state.NextOffsets(ctx, eventstore.TopicEvents)
	if err != nil {
		t.Fatal(err)
	}
	if next[0] != 0 {
		t.Fatalf("events applied up to %d past an undecodable record", next[0])
	}
}

// dripLog holds no events and grows its one reports partition by one
// record at every reports fetch, as a steady trickle of agents would.
type dripLog struct {
	fixedLog
	mu      sync.Mutex
	reports []eventstore.Record
	fetches int
	fetched int // records handed out by all fetches
}

func (l *dripLog) Fetch(ctx context.Context, topic string, p int, offset int64, maxWait time.Duration) (eventstore.Batch, error) {
	if topic != eventstore.TopicReports {
		return l.fixedLog.Fetch(ctx, topic, p, offset, maxWait)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fetches++
	n := int64(len(l.reports))
	v, err := encodedReport("drip", time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC).Add(time.Duration(n)*time.Second))
	if err != nil {
		return eventstore.Batch{}, err
	}
	l.reports = append(l.reports, eventstore.Record{Topic: topic, Offset: n, Value: v})
	end := n + 1
	l.fetched += int(end - offset)
	return eventstore.Batch{Records: l.reports[offset:end], Next: end, HighWatermark: end}, nil
}

// encodedReport is the log record value of a report of server at.
func encodedReport(server string, at time.Time) ([]byte, error) {
	env, err := domain.NewEvent(domain.ServerReported{ServerID: server, PingMS: 1, PingOK: true, ReportedAt: at},
		server, 0, domain.AgentActor(server), "", at)
	if err != nil {
		return nil, err
	}
	return domain.Encode(env)
}

func (l *dripLog) counts() (fetches, records int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fetches, len(l.reports)
}

// A trickle of reports is fetched a batch every reportsLinger or so, not
// a record at a time, and every record is applied.
func TestReportsLoopsLingerAfterSmallBatches(t *testing.T) {
	l := &dripLog{fixedLog: fixedLog{fetches: map[int64]int{}, records: map[string][]eventstore.Record{}}}
	state := memstate.New(nil)
	p := projections.NewProjector(l, state, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	const run = 500 * time.Millisecond
	time.Sleep(run) // let it run: the fetch count over time is what is tested
	cancel()
	<-done
	fetches, records := l.counts()
	// The status sink reads the reports; one fetch per 20 ms linger at
	// most, with slack for timers on a busy machine.
	if max := int(run/(20*time.Millisecond)) + 5; fetches > max {
		t.Errorf("%d reports fetches in %v, want at most %d", fetches, run, max)
	}
	next, err := state.NextOffsets(t.Context(), eventstore.TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	if next[0] < int64(records)-1 || next[0] == 0 {
		t.Errorf("applied up to %d of %d records", next[0], records)
	}
}

// lingeringState is a memory state store that asks for a longer linger,
// as the Postgres store does.
type lingeringState struct {
	*memstate.Store
	linger time.Duration
}

func (s lingeringState) ReportsLinger() time.Duration { return s.linger }

// A store that asks for a longer linger gets it, and the history loop,
// whose store asks for nothing, lingers as long: the two keep sharing
// one fetch per batch.
func TestReportsLoopsLingerAsLongAsAStoreAsks(t *testing.T) {
	l := &dripLog{fixedLog: fixedLog{fetches: map[int64]int{}, records: map[string][]eventstore.Record{}}}
	const linger = 150 * time.Millisecond
	state := lingeringState{memstate.New(nil), linger}
	history := memhistory.New()
	p := projections.NewProjector(l, state, history, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	const run = 600 * time.Millisecond
	time.Sleep(run)
	cancel()
	<-done
	fetches, records := l.counts()
	// One shared fetch per linger, plus the first; the default 20 ms
	// would make about 30.
	if max := int(run/linger) + 4; fetches > max {
		t.Errorf("%d reports fetches in %v, want at most %d", fetches, run, max)
	}
	for name, next := range map[string]func(context.Context, string) (map[int]int64, error){
		"state": state.NextOffsets, "history": history.NextOffsets,
	} {
		got, err := next(t.Context(), eventstore.TopicReports)
		if err != nil {
			t.Fatal(err)
		}
		if got[0] < int64(records)-1 || got[0] == 0 {
			t.Errorf("%s applied up to %d of %d records", name, got[0], records)
		}
	}
}

// slowHistory is a memory history store that takes a while for every
// apply, as the ClickHouse store waits for its next flush.
type slowHistory struct {
	*memhistory.Store
	delay time.Duration
}

func (h slowHistory) ApplyReports(ctx context.Context, partition int, batch []projections.Decoded) error {
	time.Sleep(h.delay)
	return h.Store.ApplyReports(ctx, partition, batch)
}

// A history store that applies far less often than the state store
// trails it, and reads what the state loop already fetched and decoded
// instead of fetching every report a second time.
func TestATrailingSinkReadsWhatTheOtherFetched(t *testing.T) {
	l := &dripLog{fixedLog: fixedLog{fetches: map[int64]int{}, records: map[string][]eventstore.Record{}}}
	state := memstate.New(nil)
	history := slowHistory{memhistory.New(), 100 * time.Millisecond}
	p := projections.NewProjector(l, state, history, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx) }()
	time.Sleep(800 * time.Millisecond)
	cancel()
	<-done
	l.mu.Lock()
	fetched, records := l.fetched, len(l.reports)
	l.mu.Unlock()
	if records < 10 {
		t.Fatalf("only %d reports in the log", records)
	}
	if fetched > records*5/4 {
		t.Errorf("%d records fetched for %d in the log: the history loop fetched on its own", fetched, records)
	}
	got, err := history.NextOffsets(t.Context(), eventstore.TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	// The history store is at most a few of its applies behind.
	if behind := int64(records) - got[0]; behind > int64(records)/2 {
		t.Errorf("history applied up to %d of %d records", got[0], records)
	}
}
