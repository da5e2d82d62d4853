package eventstore

import (
	"errors"
	"fmt"
	"net"
	"sync"
)

// The embedded broker's durability. Kafka-protocol brokers answer a
// produce once its records are written; kfake, with SyncWrites, fsyncs the
// segment and then the index of every record batch inside its one request
// loop, so every other request waits for both. Instead, the broker here
// writes to the page cache and every answer it sends on any connection
// first waits for one sync of the log's file system that began after the
// answer was ready. A produce is thus acknowledged, and a fetch hands out
// records, only once they are on disk, as before, while the broker's loop
// goes on with the next requests, and answers ready together share one
// sync (group commit).

// syncGroup runs a sync for waiters: each wait returns once a sync that
// started after the wait began has finished. A failed sync fails that
// wait and every later one: what the kernel could not write may be gone
// from the page cache, so no later sync can vouch for it.
type syncGroup struct {
	syncFn func() error

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // syncs begun
	done    uint64 // syncs finished
	running bool
	waiting int // waits blocked on a running sync
	err     error
}

func newSyncGroup(fn func() error) *syncGroup {
	g := &syncGroup{syncFn: fn}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// wait returns once a sync begun after it was called has finished, or the
// sticky error of a failed one.
func (g *syncGroup) wait() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	// Every sync numbered above those begun so far begins after the
	// caller's data was written; a sync running now may not cover it.
	need := g.started + 1
	for g.done < need && g.err == nil {
		if g.running {
			g.waiting++
			g.cond.Wait()
			g.waiting--
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := g.syncFn()
		g.mu.Lock()
		g.running = false
		g.done = n
		if err != nil && g.err == nil {
			g.err = err // syncConn.Write says what failed
		}
		g.cond.Broadcast()
	}
	return g.err
}

// syncListener hands out connections whose writes wait for the sync group
// first.
type syncListener struct {
	net.Listener
	group *syncGroup
}

func (l syncListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return syncConn{Conn: c, group: l.group}, nil
}

// syncConn is a broker connection: each answer is sent only after a sync
// that covers what the broker wrote before it.
type syncConn struct {
	net.Conn
	group *syncGroup
}

// errSyncFailed is what a connection's write returns once a sync failed.
var errSyncFailed = errors.New("embedded broker: the log could not be synced to disk")

func (c syncConn) Write(b []byte) (int, error) {
	if err := c.group.wait(); err != nil {
		return 0, fmt.Errorf("%w: %w", errSyncFailed, err)
	}
	return c.Conn.Write(b)
}
