package main

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// connListener keeps the connections it accepted, so that shutdown can
// close those a client opened but never sent a byte on. HTTP clients and
// browsers open such spare connections; fasthttp counts a connection as
// busy from its accept until its first request arrives, so without this
// a spare held shutdown for the whole read timeout.
type connListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

func newConnListener(ln net.Listener) *connListener {
	return &connListener{Listener: ln, conns: map[*trackedConn]struct{}{}}
}

func (l *connListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, l: l, accepted: time.Now()}
	l.mu.Lock()
	l.conns[tc] = struct{}{}
	l.mu.Unlock()
	return tc, nil
}

// closeSilent ends the connections that have sent nothing since they
// were accepted at least grace ago, and returns how many it ended. A
// connection younger than grace may be carrying its first request. It
// shuts their read side, so that the server reads an end of stream, as
// if the client had closed, and closes them itself without answering.
func (l *connListener) closeSilent(grace time.Duration) int {
	cutoff := time.Now().Add(-grace)
	var silent []*trackedConn
	l.mu.Lock()
	for c := range l.conns {
		if !c.used.Load() && c.accepted.Before(cutoff) {
			silent = append(silent, c)
		}
	}
	l.mu.Unlock()
	for _, c := range silent {
		if r, ok := c.Conn.(interface{ CloseRead() error }); ok {
			_ = r.CloseRead()
		} else {
			_ = c.Close()
		}
	}
	return len(silent)
}

type trackedConn struct {
	net.Conn
	l        *connListener
	accepted time.Time
	used     atomic.Bool
	closed   sync.Once
}

func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.used.Load() {
		c.used.Store(true)
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.closed.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
