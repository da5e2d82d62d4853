package agent

import (
	"context"
	"net/http"
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

// TestAuthWaitIsJittered checks that the sender and the poller, after the
// control plane rejected the token, wait the auth wait jittered into
// [authWait/2, authWait] rather than all agents waiting exactly as long.
func TestAuthWaitIsJittered(t *testing.T) {
	const authWait = time.Minute // what newTestSender and newTestPoller set
	loops := map[string]func(t *testing.T) (wait func() time.Duration, bo *backoff){
		"sender": func(t *testing.T) (func() time.Duration, *backoff) {
			s := newTestSender(t, &reportSink{decide: func([]Report) int { return http.StatusUnauthorized }}, 10)
			fill(s, 1)
			return func() time.Duration { return s.flush(context.Background()) }, s.bo
		},
		"poller": func(t *testing.T) (func() time.Duration, *backoff) {
			p := newTestPoller(t, &configSource{}, &fakeDevice{}, "wrong")
			return func() time.Duration { return p.once(context.Background()) }, p.bo
		},
	}
	for name, build := range loops {
		t.Run(name, func(t *testing.T) {
			wait, bo := build(t)
			for _, r := range []float64{0, 0.5, 0.999999} {
				bo.rand = func() float64 { return r }
				want := authWait/2 + time.Duration(r*float64(authWait/2))
				if got := wait(); got != want {
					t.Fatalf("rand %v: wait %v, want %v", r, got, want)
				}
			}
			bo.rand = nil
			seen := map[time.Duration]bool{}
			for range 20 {
				d := wait()
				if d < authWait/2 || d > authWait {
					t.Fatalf("wait %v outside [%v, %v]", d, authWait/2, authWait)
				}
				seen[d] = true
			}
			if len(seen) < 5 {
				t.Fatalf("only %d distinct waits in 20: no jitter", len(seen))
			}
		})
	}
}
