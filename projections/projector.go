package projections

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

// sink is one store fed from one topic.
type sink struct {
	name  string
	topic string
	apply func(ctx context.Context, partition int, batch []Decoded) error
	next  func(ctx context.Context, topic string) (map[int]int64, error)
	// linger is how long the sink's loop waits for more after a small
	// batch of reports; zero for events.
	linger time.Duration
	// spacing is the least time between the starts of two reads of a
	// partition that the sink keeps up with; zero: no spacing.
	spacing time.Duration
}

// Projector feeds stores from the log: the events topic and the reports
// topic into the state store, the reports topic into the history store.
// Every (sink, partition) has its own loop: fetch from the store's next
// offset, decode, apply (the store commits rows and offset together),
// retry with backoff on failure. A record that cannot be decoded (an
// unknown event type, a newer schema) stops its partition, loudly: it is
// never skipped.
type Projector struct {
	log    eventstore.Log
	sinks  []sink
	logger *slog.Logger

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on progress
	// eventsChanged is closed and replaced when the state sink progresses.
	eventsChanged chan struct{}
	applied       map[string]map[int]int64 // sink name -> partition -> next offset
	lastErr       map[string]error
	shared        sharedReads
	// highWater holds, per partition read, the highest high watermark a
	// fetch saw. Built before the loops start, read-only after.
	highWater map[readKey]*atomic.Int64
}

// NewProjector builds a projector; history may be nil.
func NewProjector(l eventstore.Log, state StateStore, history HistoryStore, logger *slog.Logger) *Projector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	p := &Projector{log: l, logger: logger, changed: make(chan struct{}), eventsChanged: make(chan struct{}),
		applied: map[string]map[int]int64{}, lastErr: map[string]error{}}
	// The reports loops linger alike, so that they keep sharing reads.
	lingerFor := reportsLinger(state)
	if history != nil {
		lingerFor = max(lingerFor, reportsLinger(history))
	}
	p.sinks = append(p.sinks,
		sink{"state", eventstore.TopicEvents, state.ApplyEvents, state.NextOffsets, 0, 0},
		sink{"status", eventstore.TopicReports, state.ApplyReports, state.NextOffsets, lingerFor, reportsSpacing(state)})
	if history != nil {
		p.sinks = append(p.sinks, sink{"history", eventstore.TopicReports, history.ApplyReports, history.NextOffsets, lingerFor, reportsSpacing(history)})
	}
	return p
}

// Run starts every loop and blocks until ctx is done.
func (p *Projector) Run(ctx context.Context) error {
	type start struct {
		s    sink
		part int
		from int64
	}
	var starts []start
	p.highWater = map[readKey]*atomic.Int64{}
	for _, s := range p.sinks {
		n, err := p.log.Partitions(ctx, s.topic)
		if err != nil {
			return fmt.Errorf("projector %s: %w", s.name, err)
		}
		from, err := s.next(ctx, s.topic)
		if err != nil {
			return fmt.Errorf("projector %s: load offsets: %w", s.name, err)
		}
		for part := range n {
			p.progress(s.name, part, from[part])
			p.shared.join(readKey{s.topic, part}, s.name, from[part])
			if p.highWater[readKey{s.topic, part}] == nil {
				p.highWater[readKey{s.topic, part}] = new(atomic.Int64)
			}
			starts = append(starts, start{s, part, from[part]})
		}
	}
	var wg sync.WaitGroup
	for _, st := range starts {
		wg.Go(func() { p.loop(ctx, st.s, st.part, st.from) })
	}
	wg.Wait()
	return nil
}

// loop feeds one (sink, partition). A reader goroutine fetches and decodes
// the next batch while this one applies the current one, so on two cores
// decoding no longer waits for the store (the boot replay is one long
// partition).
func (p *Projector) loop(ctx context.Context, s sink, part int, from int64) {
	batches := make(chan []Decoded, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { p.read(ctx, s, part, from, batches) })
	b := eventstore.Backoff{Min: 50 * time.Millisecond, Max: 5 * time.Second}
	for {
		var batch []Decoded
		select {
		case <-ctx.Done():
			return
		case batch = <-batches:
		}
		for {
			err := s.apply(ctx, part, batch)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			p.fail(ctx, &b, s, part, "apply", err) // then the same batch again
		}
		b.Reset()
		p.setErr(s.name, nil)
		p.progress(s.name, part, batch[len(batch)-1].Offset+1)
	}
}

// read fetches and decodes batches into out until ctx ends, sharing
// reads with the other sinks of the topic. A batch that cannot be decoded
// is read again from its first record after a backoff: it stops the
// partition, it is never skipped.
func (p *Projector) read(ctx context.Context, s sink, part int, from int64, out chan<- []Decoded) {
	key := readKey{s.topic, part}
	hw := p.highWater[key]
	cur := eventstore.NewCursor(p.log, s.topic, part, from, p.logger)
	fetch := func(ctx context.Context, from int64) ([]Decoded, int64, error) {
		cur.MoveTo(from)
		recs, err := cur.Next(ctx, 500*time.Millisecond)
		if err != nil {
			return nil, from, err
		}
		raise(hw, cur.HighWatermark())
		batch, err := decodeAll(recs)
		if err != nil {
			return nil, from, err
		}
		return batch, cur.Position(), nil
	}
	next := from
	b := eventstore.Backoff{Min: 50 * time.Millisecond, Max: 5 * time.Second}
	for ctx.Err() == nil {
		begin := time.Now()
		batch, after, err := p.shared.read(ctx, key, s.name, next, fetch)
		if err != nil {
			p.fail(ctx, &b, s, part, "read", err)
			continue
		}
		b.Reset()
		next = after
		if len(batch) == 0 {
			continue
		}
		select {
		case out <- batch:
		case <-ctx.Done():
			return
		}
		switch {
		case s.spacing > 0 && len(batch) >= reportsSpaceFrom && after >= hw.Load():
			// A batch that reached the end of the log: the store
			// keeps up, and waiting gathers more per apply.
			linger(ctx, jitter(spacingAfter(s.spacing, len(batch)))-time.Since(begin))
		case s.linger > 0 && len(batch) < reportsLingerBelow:
			linger(ctx, s.linger)
		}
	}
}

// raise sets a to v if v is higher.
func raise(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// Reports come a few at a time from thousands of agents: fetched as soon
// as each arrives, every fetch and every store transaction carries a
// handful. After a small batch the reports loops wait a while for more,
// which costs that much freshness and saves most of those round trips:
// defaultReportsLinger, or what the store asks for (Lingerer). Events are
// never held back: commands wait for their projection.
const (
	defaultReportsLinger = 20 * time.Millisecond
	reportsLingerBelow   = 500
	// reportsSpaceFrom is the least batch after which a ReportsSpacer's
	// spacing applies, as half of it below reportsLingerBelow.
	reportsSpaceFrom = 100
)

// Lingerer is implemented by stores that pay for every apply (a database
// transaction, say) and want reports gathered for longer than
// defaultReportsLinger before each. Every reports loop lingers for the
// longest any store asks.
type Lingerer interface {
	// ReportsLinger is how long to wait for more reports after a small
	// batch.
	ReportsLinger() time.Duration
}

func reportsLinger(store any) time.Duration {
	if l, ok := store.(Lingerer); ok && l.ReportsLinger() > 0 {
		return l.ReportsLinger()
	}
	return defaultReportsLinger
}

// ReportsSpacer is implemented by stores that, under a heavy load of
// reports, should apply them less often in larger batches. A status
// store is one: it keeps only the newest report of each server, so an
// apply costs per server touched, and at 200,000 reports/s from 10,000
// servers every apply touches nearly all of a partition's servers
// however few reports it carries. Back to back, the Postgres store's
// applies took half of a two-core machine's CPU.
type ReportsSpacer interface {
	// ReportsSpacing is the time between the starts of two reads of a
	// reports partition after a batch of reportsLingerBelow or more that
	// reached the end of the log, and half of it after a batch of
	// reportsSpaceFrom or more, each wait moved by up to a quarter at
	// random (jitter). A loop that is behind the log (a replay, a
	// backlog) reads on at once.
	ReportsSpacing() time.Duration
}

// spacingAfter is the mean time (see jitter) from the start of a read to
// the start of the next, after a batch of n that reached the end of the log: the
// store's spacing after a large batch, half of it after a middling one.
// A middling batch (reportsSpaceFrom to reportsLingerBelow) comes from a
// partition taking some 1,000 to 5,000 reports a second; with the
// status store spaced so, its Postgres took 0.04-0.09 of a core instead
// of 0.14-0.20 under single reports from 1,000 servers (a server
// reporting several times per apply costs one row, not several), and
// the next batch stays middling up to ~2,000 a second per partition.
func spacingAfter(spacing time.Duration, n int) time.Duration {
	if n < reportsLingerBelow {
		return spacing / 2
	}
	return spacing
}

// jitter moves d by up to a quarter of it either way, at random. The
// reports loops of a topic's partitions start together; spaced by the
// same time, they would go on reading and applying in step: a dozen
// fetches at the broker and a dozen store transactions at once, every
// spacing. Under single reports from 1,000 servers those bursts slowed
// the broker's produce answers, which every request in flight waits on,
// and set the requests' p99 (seen in an execution trace of serve).
// Jittered, the loops drift apart: the p99 fell in 13 of 13 pairs,
// median 21.0 ms to 18.0 (docs/PERFORMANCE.md). The spacing is the
// average; no wait is shorter than three quarters of it.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d*3/4 + rand.N(d/2+1)
}

func reportsSpacing(store any) time.Duration {
	if s, ok := store.(ReportsSpacer); ok {
		return max(s.ReportsSpacing(), 0)
	}
	return 0
}

// linger waits d or until ctx ends; at once if d is not positive.
func linger(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// decodeAll decodes recs in order. A large batch (a replay, a backlog)
// is cut in one chunk per core, decoded at once: decoding is most of what
// a replay costs, and the store applies on one core anyway. On failure it
// names the first record that does not decode.
func decodeAll(recs []eventstore.Record) ([]Decoded, error) {
	out := make([]Decoded, len(recs))
	workers := min(runtime.GOMAXPROCS(0), len(recs)/decodeChunkMin, maxDecoders)
	if workers <= 1 {
		if err := decodeRange(recs, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(recs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(recs))
		wg.Go(func() { errs[w] = decodeRange(recs[lo:hi], out[lo:hi]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// A batch is decoded in parallel in chunks of at least decodeChunkMin
// records, by at most maxDecoders goroutines.
const (
	decodeChunkMin = 256
	maxDecoders    = 4
)

// decodeRange decodes recs into out, of the same length.
func decodeRange(recs []eventstore.Record, out []Decoded) error {
	for i, r := range recs {
		env, err := domain.DecodeOwned(r.Value)
		if err != nil {
			return fmt.Errorf("decode %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err)
		}
		out[i] = Decoded{Partition: r.Partition, Offset: r.Offset, Event: env}
	}
	return nil
}

func (p *Projector) fail(ctx context.Context, b *eventstore.Backoff, s sink, part int, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	p.setErr(s.name, err)
	p.logger.Error("projection "+what+" failed, retrying", "projection", s.name, "topic", s.topic, "partition", part, "err", err)
	_ = b.Wait(ctx)
}
