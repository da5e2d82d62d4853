package contract

import (
	"context"
	"sync"
)

// MemoryKeys is an in-memory data key set: the StateKeys of stores that
// shred through a projections.KeyShredder, and that shredder.
type MemoryKeys struct {
	mu   sync.Mutex
	keys map[string]bool
}

// NewMemoryKeys returns an empty key set.
func NewMemoryKeys() *MemoryKeys { return &MemoryKeys{keys: make(map[string]bool)} }

// AddKey implements StateKeys.
func (m *MemoryKeys) AddKey(_ context.Context, keyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[keyID] = true
	return nil
}

// KeyExists implements StateKeys.
func (m *MemoryKeys) KeyExists(_ context.Context, keyID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keys[keyID], nil
}

// DeleteKey implements projections.KeyShredder; a missing key is no error.
func (m *MemoryKeys) DeleteKey(_ context.Context, keyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, keyID)
	return nil
}
