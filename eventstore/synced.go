package eventstore

import (
	"context"
	"fmt"
	"sync"
)

// With Config.Durable set, the broker acknowledges records before they
// are on disk, and it serves them to fetches from then on. The log holds
// both ends to the disk: an Append returns once Durable found its records
// synced, and a Fetch returns records only once they are known synced, so
// that no read model applies a record a power cut may take from the log.
//
// A partition's durable end is the offset below which its records are
// known to be on disk. The log's own produce requests raise it once
// synced; a Fetch that finds records past it waits for those requests if
// any is unsettled (their sync covers everything written before them),
// and syncs on its own otherwise (records written before the log started,
// or by another client).

type partKey struct {
	topic     string
	partition int
}

// durableEnd is one partition's durable end.
type durableEnd struct {
	mu      sync.Mutex
	end     int64
	pending int           // the log's pieces for the partition produced or being produced, not yet settled
	changed chan struct{} // closed, and replaced, when end or pending moves
}

func (l *KafkaLog) durableEnd(topic string, partition int) *durableEnd {
	k := partKey{topic, partition}
	if v, ok := l.durableEnds.Load(k); ok {
		return v.(*durableEnd)
	}
	v, _ := l.durableEnds.LoadOrStore(k, &durableEnd{changed: make(chan struct{})})
	return v.(*durableEnd)
}

func (e *durableEnd) begin() {
	e.mu.Lock()
	e.pending++
	e.mu.Unlock()
}

// settle ends one piece begun; end is its last offset + 1 once synced, or
// 0 if it failed to be written or synced.
func (e *durableEnd) settle(end int64) {
	e.mu.Lock()
	e.pending--
	e.raiseLocked(end)
	e.mu.Unlock()
}

func (e *durableEnd) raise(end int64) {
	e.mu.Lock()
	e.raiseLocked(end)
	e.mu.Unlock()
}

func (e *durableEnd) raiseLocked(end int64) {
	e.end = max(e.end, end)
	close(e.changed)
	e.changed = make(chan struct{})
}

// waitDurable returns once every record of the partition below need is
// known to be on disk. hwm is the high watermark a fetch reported: every
// record below it was written before the fetch answered, so a sync begun
// after that covers them all.
func (l *KafkaLog) waitDurable(ctx context.Context, topic string, partition int, need, hwm int64) error {
	e := l.durableEnd(topic, partition)
	for {
		e.mu.Lock()
		if e.end >= need {
			e.mu.Unlock()
			return nil
		}
		if e.pending > 0 {
			ch := e.changed
			e.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return fmt.Errorf("wait for %s/%d below offset %d to be on disk: %w", topic, partition, need, ctx.Err())
			}
		}
		e.mu.Unlock()
		if err := l.durable(ctx); err != nil {
			return fmt.Errorf("records of %s/%d below offset %d not known to be on disk: %w", topic, partition, need, err)
		}
		e.raise(max(hwm, need))
		return nil
	}
}

// beginDurable marks pieces about to be produced as unsettled, so that
// fetches of their partitions wait for their sync rather than sync on
// their own.
func (l *KafkaLog) beginDurable(topic string, pieces []*piece) {
	if l.durable == nil {
		return
	}
	for _, pc := range pieces {
		l.durableEnd(topic, pc.partition).begin()
	}
}

// makeDurable waits, for pieces produced, until Durable says they are on
// disk, then settles them. Their partitions stay in flight meanwhile:
// the next request gathers what queued during the sync, as it would
// behind a broker that syncs before it answers. A failed sync fails the
// pieces written, without a retry: their records are in the log.
func (l *KafkaLog) makeDurable(topic string, pieces []*piece) {
	if l.durable == nil {
		return
	}
	written := false
	for _, pc := range pieces {
		written = written || pc.err == nil
	}
	var err error
	if written {
		ctx, cancel := context.WithTimeout(context.Background(), l.callTimeout)
		err = l.durable(ctx)
		cancel()
	}
	for _, pc := range pieces {
		var end int64
		switch {
		case pc.err != nil:
		case err != nil:
			pc.err = permanent(fmt.Errorf("written, but not known to be on disk: %w", err))
		case len(pc.pos) > 0:
			end = pc.pos[len(pc.pos)-1].Offset + 1
		}
		l.durableEnd(topic, pc.partition).settle(end)
	}
}
