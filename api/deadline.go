package api

import (
	"context"
	"sync/atomic"
	"time"
)

// deadlineGrain is how long requests share one context: every request
// that starts within the same window gets the same deadline, the window's
// end plus RequestTimeout, so a request's deadline is between timeout and
// timeout+deadlineGrain after it started.
const deadlineGrain = 100 * time.Millisecond

// sharedDeadlines hands out request contexts bounded by a timeout without
// a timer and four allocations per request (context.WithTimeout's cost
// was ~3% of the CPU of a single report). Nothing cancels a request's
// context early: handlers return only once their calls did, so the
// context only ever ends at its deadline, which a shared one does too.
type sharedDeadlines struct {
	timeout time.Duration
	cur     atomic.Pointer[deadlineWindow]
}

type deadlineWindow struct {
	end    time.Time // requests starting before end share ctx
	ctx    context.Context
	cancel context.CancelFunc // never called: the deadline ends ctx
}

// context returns the context of a request that started at start.
func (s *sharedDeadlines) context(start time.Time) context.Context {
	w := s.cur.Load()
	if w != nil && start.Before(w.end) && !start.Before(w.end.Add(-deadlineGrain)) {
		return w.ctx
	}
	end := start.Truncate(deadlineGrain).Add(deadlineGrain)
	ctx, cancel := context.WithDeadline(context.Background(), end.Add(s.timeout))
	nw := &deadlineWindow{end: end, ctx: ctx, cancel: cancel}
	// When another request opened a window meanwhile, this one keeps its
	// own context, within bounds as well.
	s.cur.CompareAndSwap(w, nw)
	return ctx
}
