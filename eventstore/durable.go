package eventstore

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// syncer makes the embedded broker's writes durable: one file-system sync
// for every caller waiting when it starts (group commit). The broker
// acknowledges a produce once its write(2) calls returned; a caller that
// waits for Sync after that holds its records on disk. Syncing here,
// rather than in the broker's one request loop, lets the broker serve
// other requests (fetches, other partitions) while the disk syncs, and
// costs one sync where the broker's own fsyncs cost two per partition
// (segment and index).
type syncer struct {
	dir  *os.File
	sync func(*os.File) error // syncFS, or a counter in tests

	mu      sync.Mutex
	next    *syncRound // the round new callers join; nil if none waits
	running bool
	closed  bool
	runs    sync.WaitGroup
}

type syncRound struct {
	done    chan struct{}
	err     error
	callers int // how many share it
}

func newSyncer(dir string) (*syncer, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s to sync it: %w", dir, err)
	}
	return &syncer{dir: f, sync: syncFS}, nil
}

// Sync returns once every write the broker finished before the call is on
// disk, or the context ends.
func (s *syncer) Sync(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	// A round already running may have begun before the caller's writes:
	// join the next one, which starts after it.
	r := s.next
	if r == nil {
		r = &syncRound{done: make(chan struct{})}
		s.next = r
	}
	r.callers++
	if !s.running {
		s.running = true
		s.runs.Go(s.run)
	}
	s.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return fmt.Errorf("wait for the disk: %w", ctx.Err())
	}
}

// run syncs round after round while callers wait.
func (s *syncer) run() {
	for {
		s.mu.Lock()
		r := s.next
		s.next = nil
		if r == nil {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if err := s.sync(s.dir); err != nil {
			r.err = fmt.Errorf("sync %s: %w", s.dir.Name(), err)
		}
		close(r.done)
	}
}

// close syncs one last time, after the broker stopped writing, and
// releases the directory; Sync fails with ErrClosed from then on.
func (s *syncer) close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.runs.Wait()
	err := s.sync(s.dir)
	if err != nil {
		err = fmt.Errorf("sync %s: %w", s.dir.Name(), err)
	}
	if cerr := s.dir.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close %s: %w", s.dir.Name(), cerr)
	}
	return err
}
