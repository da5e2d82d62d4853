package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// statusCache keeps every server's encoded entry between statuses
// requests. Between two requests a few servers of thousands report, so
// most entries are copied, not encoded again; only online is computed
// per request, as it moves with the clock. Entries are kept by position
// in the (sorted) answer and reused while their view is unchanged.
type statusCache struct {
	mu      sync.Mutex
	entries []cachedStatus
}

type cachedStatus struct {
	view  projections.StatusView
	enc   []byte // the entry, without its online value
	split int    // where online goes in enc
}

// appendStatuses appends the answer for views, as appendStatuses does.
// A request that finds the cache in use by another encodes without it
// rather than wait.
func (c *statusCache) appendStatuses(b []byte, views []projections.StatusView, now time.Time, offlineAfter time.Duration) []byte {
	if !c.mu.TryLock() {
		return appendStatuses(b, views, now, offlineAfter)
	}
	defer c.mu.Unlock()
	if cap(c.entries) < len(views) {
		grown := make([]cachedStatus, len(views))
		copy(grown, c.entries)
		c.entries = grown
	}
	c.entries = c.entries[:len(views)]
	b = append(b, '[')
	for i := range views {
		if i > 0 {
			b = append(b, ',')
		}
		v, e := &views[i], &c.entries[i]
		if e.enc == nil || e.view != *v {
			e.view = *v
			e.enc = appendStatusHead(e.enc[:0], v)
			e.split = len(e.enc)
			e.enc = appendStatusTail(e.enc, v)
		}
		b = append(b, e.enc[:e.split]...)
		b = strconv.AppendBool(b, statusOnline(v, now, offlineAfter))
		b = append(b, e.enc[e.split:]...)
	}
	return append(b, ']')
}
