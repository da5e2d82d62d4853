package api

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"

	"github.com/sentrazone/sentrazone/domain"
)

// keyedLimiter is a token bucket per key (client IP, email) with bounded
// memory. A bucket left alone for refill (the time to refill from empty)
// is full again, exactly like a new one, so sweeping it forgets nothing.
// When maxKeys buckets are live, an arbitrary one is evicted to make room.
type keyedLimiter struct {
	limit   rate.Limit
	burst   int
	refill  time.Duration
	maxKeys int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
	// refusing is set by a refusal and cleared by the next success: the
	// first refusal of a stretch is the one worth recording.
	refusing bool
}

// newKeyedLimiter allows perMinute events per minute per key, all at once
// at most.
func newKeyedLimiter(perMinute, maxKeys int) *keyedLimiter {
	return &keyedLimiter{
		limit:   rate.Limit(float64(perMinute) / 60),
		burst:   perMinute,
		refill:  time.Minute,
		maxKeys: maxKeys,
		buckets: make(map[string]*bucket),
	}
}

// take takes one token from key's bucket at now. It returns 0 when that
// succeeded, else how long until a token is free (nothing is taken then)
// and whether this is the first refusal since the key's last success.
func (k *keyedLimiter) take(key string, now time.Time) (time.Duration, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.buckets[key]
	if b == nil {
		k.makeRoom(now)
		b = &bucket{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	wait := k.refill
	if r.OK() {
		wait = r.DelayFrom(now)
		if wait > 0 {
			r.CancelAt(now)
		}
	}
	if wait <= 0 {
		b.refusing = false
		return 0, false
	}
	first := !b.refusing
	b.refusing = true
	return wait, first
}

// makeRoom drops full buckets (at most every refill/4) and, at the cap,
// evicts arbitrary ones. Callers hold k.mu.
func (k *keyedLimiter) makeRoom(now time.Time) {
	if now.Sub(k.lastSweep) >= k.refill/4 {
		for key, b := range k.buckets {
			if now.Sub(b.seen) >= k.refill {
				delete(k.buckets, key)
			}
		}
		k.lastSweep = now
	}
	for key := range k.buckets {
		if len(k.buckets) < k.maxKeys {
			break
		}
		delete(k.buckets, key)
	}
}

// size is the number of live buckets.
func (k *keyedLimiter) size() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// ipBucket is the login limiter's key of a client address: the address
// for IPv4, its /64 for IPv6 (one host usually holds a whole /64, so
// rotating within it must not buy new attempts).
func ipBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// emailBucket is the login limiter's key of an email: lowercased,
// trimmed, and cut to the longest valid address so a huge body cannot
// make a huge key.
func emailBucket(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) > domain.MaxEmailLen {
		e = e[:domain.MaxEmailLen]
	}
	return e
}

// limit takes a token for key or answers 429 with Retry-After (seconds,
// rounded up). The first refusal of a stretch is recorded as a failed
// login (reason rate_limited) for email: auditors see the throttling,
// and a flood of refused attempts cannot flood the event log.
func (h *handlers) limit(c *fiber.Ctx, l *keyedLimiter, what, key, email string) error {
	wait, first := l.take(key, h.cfg.Now())
	if wait == 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(secs, 1)))
	h.log.Warn("login rate limited", "ip", c.IP(), "by", what)
	if first {
		if err := h.cfg.Commands.LoginThrottled(c.UserContext(), c.IP(), email); err != nil {
			return fmt.Errorf("login: record throttling: %w", err)
		}
	}
	return newAPIError(http.StatusTooManyRequests, CodeRateLimited, "too many login attempts; retry in %d s", max(secs, 1))
}
