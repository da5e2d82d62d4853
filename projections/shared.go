package projections

import (
	"context"
	"sync"
)

// sharedReads lets sinks reading the same topic partition (the status and
// history projections both read the reports) share one fetch and one
// decode: a sink asking for the offset another sink is fetching, or has
// just fetched, gets that batch instead of fetching and decoding it again.
// Batches are shared, so stores must not modify the batch they apply.
type sharedReads struct {
	mu   sync.Mutex
	last map[readKey]*flight
}

type readKey struct {
	topic     string
	partition int
}

// flight is one fetch and decode from an offset.
type flight struct {
	from  int64
	done  chan struct{}
	batch []Decoded
	next  int64 // the offset after the batch
	err   error
}

// fetchFunc fetches and decodes the records from an offset on, and
// returns them with the offset after them.
type fetchFunc func(ctx context.Context, from int64) ([]Decoded, int64, error)

// read returns the batch at from: the one in flight or just read for the
// same key and offset, else one fetched by fetch. A finished empty read is
// not reused (the next read must wait for new records), nor is a failed
// one.
func (s *sharedReads) read(ctx context.Context, k readKey, from int64, fetch fetchFunc) ([]Decoded, int64, error) {
	if from < 0 {
		return fetch(ctx, from)
	}
	s.mu.Lock()
	if f := s.last[k]; f != nil && f.from == from {
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, from, ctx.Err()
		}
		if f.err == nil && len(f.batch) > 0 {
			return f.batch, f.next, nil
		}
		s.mu.Lock()
		if s.last[k] == f {
			delete(s.last, k)
		}
	}
	f := &flight{from: from, done: make(chan struct{})}
	if s.last == nil {
		s.last = map[readKey]*flight{}
	}
	s.last[k] = f
	s.mu.Unlock()
	f.batch, f.next, f.err = fetch(ctx, from)
	close(f.done)
	return f.batch, f.next, f.err
}
