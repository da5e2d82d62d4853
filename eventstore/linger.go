package eventstore

import "time"

// Linger. At a fleet's pace (thousands of agents, each reporting every
// few seconds) appends arrive one at a time, and group commit alone sends
// each produce request with the few that queued during the last one's
// round trip: at 5,000 reports/s from 10,000 servers, ~1,000 requests a
// second of ~4 reports. Every request costs a round trip, wakeups in the
// server and the broker, and at the embedded broker a sync, whatever it
// carries. So the reports topic's queue may wait (linger, as a Kafka
// producer's linger.ms) before it sends a request that is not yet full:
// at most Config.ProduceLinger after its oldest append queued, not once
// the request is full, not once as many appends wait as the last answer
// left waiting and freed (see ready), and no longer than appends keep
// coming (see lingerQuiet). The appends that wait are reports; events
// are never held back, an admin's command waits for its projection.
const (
	// A request of lingerFullRecords or lingerFullBytes goes at once.
	// What a request costs beyond its records (the round trip, wakeups)
	// is per request, so a count says when it has paid for itself: ~24
	// reports are what 5 ms gathers at 5,000 reports/s, and callers that
	// keep that many appends queued lose nothing by it. Without it, 64
	// requests in flight, each waiting for its answer before the next,
	// queued ~32 reports a request and lost 20-30% of their rate to the
	// linger (docs/PERFORMANCE.md). The bytes are Kafka's batch.size
	// default, for large reports.
	lingerFullRecords = 24
	lingerFullBytes   = 16 << 10
	// lingerQuiet ends a linger when no append has queued for this many
	// times their recent mean spacing. Callers that wait for their
	// answer before they append again (a closed loop, few in flight)
	// have all queued by then, and waiting longer only delays them; from
	// independent agents a pause that long is rare.
	lingerQuiet = 4
)

// noteArrival records that pcs queued at now, for the linger's bounds.
// Called with q.mu held, before they join q.pending.
func (q *leaderQueue) noteArrival(now time.Time, pcs []*piece, linger time.Duration) {
	if len(q.pending) == 0 {
		q.oldest = now
	}
	for _, pc := range pcs {
		q.bytes += pc.size
		q.records += len(pc.msgs)
	}
	if linger <= 0 {
		return
	}
	// A mean of the gaps between appends that forgets within ~8 of them;
	// an idle spell counts as one linger at most.
	gap := min(now.Sub(q.newest), linger)
	q.spacing += (gap - q.spacing) / 8
	q.newest = now
	if q.ready() && q.wake != nil {
		select {
		case q.wake <- struct{}{}:
		default: // a wake is already due
		}
	}
}

// linger waits until the pending appends should go: they are ready, the
// oldest has waited max, appends stopped coming (lingerQuiet), or
// done is closed. Called with q.mu held; it is released while waiting.
func (q *leaderQueue) linger(max time.Duration, done <-chan struct{}) {
	for len(q.pending) > 0 && !q.ready() {
		now := time.Now()
		wait := min(q.oldest.Add(max).Sub(now), q.newest.Add(lingerQuiet*q.spacing).Sub(now))
		if wait <= 0 {
			return
		}
		if q.wake == nil {
			q.wake = make(chan struct{}, 1)
		}
		q.mu.Unlock()
		t := time.NewTimer(wait)
		closing := false
		select {
		case <-t.C:
		case <-q.wake:
		case <-done:
			closing = true
		}
		t.Stop()
		q.mu.Lock()
		if closing {
			return
		}
	}
}

// ready reports whether the pending appends should go without waiting
// for more: they fill a request, or they are as many as were waiting
// when the last answer came plus those it freed (q.expect). Callers that
// append again only once answered (a closed loop) are all back then,
// and nobody else is coming: 16 such callers lost half their rate to
// the pause of lingerQuiet (docs/PERFORMANCE.md). From independent
// agents the wait gathers as many again as the last request carried,
// plus what queued during its round trip, so requests grow to the
// bounds.
func (q *leaderQueue) ready() bool {
	return q.records >= lingerFullRecords || q.bytes >= lingerFullBytes || (q.expect > 0 && q.records >= q.expect)
}
