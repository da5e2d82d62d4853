package agent

import (
	"testing"
	"time"
)

func TestBackoffDoublesCapsAndResets(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999999} {
		b := newBackoff(500*time.Millisecond, 30*time.Second)
		b.rand = func() float64 { return r }
		base := 500 * time.Millisecond
		for i := range 12 {
			d := b.next()
			if d < base/2 || d > base {
				t.Fatalf("rand %v, attempt %d: wait %v outside [%v, %v]", r, i, d, base/2, base)
			}
			base = min(base*2, 30*time.Second)
		}
		if d := b.next(); d > 30*time.Second || d < 15*time.Second {
			t.Fatalf("capped wait %v", d)
		}
		b.reset()
		if d := b.next(); d > 500*time.Millisecond {
			t.Fatalf("wait after reset %v", d)
		}
	}
}

func TestBackoffJitterSpreads(t *testing.T) {
	b := newBackoff(time.Second, time.Second)
	seen := map[time.Duration]bool{}
	for range 50 {
		d := b.next()
		if d < 500*time.Millisecond || d > time.Second {
			t.Fatalf("wait %v outside [500ms, 1s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("only %d distinct waits in 50: no jitter", len(seen))
	}
}
