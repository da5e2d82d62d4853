package memstate

import (
	"context"
	"errors"
	"fmt"
)

// shred destroys the data keys of deleted peers, together with any left
// from a batch whose shredding failed. It runs without mu held, so readers
// are not blocked by the key store. Keys that fail stay queued for the next
// batch; a rebuild from the log shreds them again anyway.
func (s *Store) shred(ctx context.Context, keyIDs []string) error {
	if s.shredder == nil {
		return nil
	}
	s.shredMu.Lock()
	defer s.shredMu.Unlock()
	todo := append(s.pendingShred, keyIDs...)
	s.pendingShred = nil
	var errs []error
	for _, id := range todo {
		if err := s.shredder.DeleteKey(ctx, id); err != nil {
			s.pendingShred = append(s.pendingShred, id)
			errs = append(errs, fmt.Errorf("key %q: %w", id, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("memstate: shred data keys of deleted peers: %w", err)
	}
	return nil
}
