package agent

import (
	"math/rand/v2"
	"time"
)

// backoff yields retry waits that double from min up to max, each jittered
// into [d/2, d] so that a fleet does not retry in step. reset starts over
// after a success. Not safe for concurrent use.
type backoff struct {
	min, max time.Duration
	// rand returns a number in [0, 1); nil means math/rand/v2.
	rand    func() float64
	current time.Duration
}

func newBackoff(min, max time.Duration) *backoff {
	return &backoff{min: min, max: max}
}

// next returns the wait before the next attempt.
func (b *backoff) next() time.Duration {
	if b.current == 0 {
		b.current = b.min
	} else {
		b.current = min(b.current*2, b.max)
	}
	return b.jitter(b.current)
}

// jitter spreads d into [d/2, d]. next uses it for every step; callers use
// it directly for a fixed wait, such as the one after the control plane
// rejected the token, so that waits are never in step across a fleet.
func (b *backoff) jitter(d time.Duration) time.Duration {
	r := rand.Float64
	if b.rand != nil {
		r = b.rand
	}
	half := d / 2
	return half + time.Duration(r()*float64(d-half))
}

// reset makes the next wait start at min again.
func (b *backoff) reset() { b.current = 0 }

// sleep waits d or until done is closed, and reports whether it waited the
// whole time.
func sleep(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}
