package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentrazone/sentrazone/eventstore"
)

func (p *Projector) progress(name string, part int, next int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.applied[name]
	if m == nil {
		m = map[int]int64{}
		p.applied[name] = m
	}
	if next > m[part] {
		m[part] = next
	}
	close(p.changed)
	p.changed = make(chan struct{})
	if name == "state" {
		close(p.eventsChanged)
		p.eventsChanged = make(chan struct{})
	}
}

// EventsChanged returns a channel closed the next time the state store
// applies events (servers, peers, users may have changed).
func (p *Projector) EventsChanged() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.eventsChanged
}

func (p *Projector) setErr(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastErr[name] = err
}

// reached reports whether every sink on topic has applied past offset of
// partition, and returns the channel that is closed on the next progress.
func (p *Projector) reached(topic string, part int, offset int64) (bool, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.sinks {
		if s.topic == topic && p.applied[s.name][part] <= offset {
			return false, p.changed
		}
	}
	return true, nil
}

// WaitApplied blocks until every store fed from topic has applied the
// record at offset of partition (read your writes), or ctx ends.
func (p *Projector) WaitApplied(ctx context.Context, topic string, part int, offset int64) error {
	for {
		ok, ch := p.reached(topic, part, offset)
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s/%d@%d to be applied: %w", topic, part, offset, ctx.Err())
		case <-ch:
		}
	}
}

// CatchUp waits until the stores have applied everything the log held
// when it was called.
func (p *Projector) CatchUp(ctx context.Context) error {
	for _, topic := range []string{eventstore.TopicEvents, eventstore.TopicReports} {
		hw, err := eventstore.HighWatermarks(ctx, p.log, topic)
		if err != nil {
			return fmt.Errorf("catch up: %w", err)
		}
		for part, end := range hw {
			if end == 0 {
				continue
			}
			if err := p.WaitApplied(ctx, topic, part, end-1); err != nil {
				return fmt.Errorf("catch up: %w", err)
			}
		}
	}
	return nil
}

// Lag returns, per sink, how many records it is behind the log, and the
// last apply error of any sink.
func (p *Projector) Lag(ctx context.Context) (map[string]int64, error) {
	ends := map[string][]int64{}
	for _, topic := range []string{eventstore.TopicEvents, eventstore.TopicReports} {
		hw, err := eventstore.HighWatermarks(ctx, p.log, topic)
		if err != nil {
			return nil, err
		}
		ends[topic] = hw
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	lag := map[string]int64{}
	var errs []error
	for _, s := range p.sinks {
		for part, end := range ends[s.topic] {
			if d := end - p.applied[s.name][part]; d > 0 {
				lag[s.name] += d
			}
		}
		if err := p.lastErr[s.name]; err != nil {
			errs = append(errs, fmt.Errorf("projection %s: %w", s.name, err))
		}
	}
	return lag, errors.Join(errs...)
}
