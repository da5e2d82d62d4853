package projections

import (
	"testing"
	"time"
)

// Jittered waits stay within a quarter of the spacing either way,
// average to it, and differ from one another: loops that start together
// drift apart.
func TestJitterSpreadsWaitsAroundTheSpacing(t *testing.T) {
	const d, n = 400 * time.Millisecond, 4000
	var sum time.Duration
	seen := map[time.Duration]bool{}
	low, high := d, d
	for range n {
		w := jitter(d)
		if w < d*3/4 || w > d*5/4 {
			t.Fatalf("jitter(%v) = %v, want %v to %v", d, w, d*3/4, d*5/4)
		}
		sum += w
		seen[w] = true
		low, high = min(low, w), max(high, w)
	}
	if mean := sum / n; mean < d*98/100 || mean > d*102/100 {
		t.Errorf("mean of %d jittered waits of %v = %v, want within 2%%", n, d, mean)
	}
	if len(seen) < n/2 {
		t.Errorf("%d jittered waits took only %d values", n, len(seen))
	}
	// They cover the range: loops spread over the whole spacing.
	if low > d*8/10 || high < d*12/10 {
		t.Errorf("jittered waits ranged %v to %v, want nearly %v to %v", low, high, d*3/4, d*5/4)
	}
	for _, d := range []time.Duration{0, -time.Second} {
		if got := jitter(d); got != d {
			t.Errorf("jitter(%v) = %v, want it unchanged", d, got)
		}
	}
}
