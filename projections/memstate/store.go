// Package memstate is the in-memory projections.StateStore: the read model
// of the embedded default, rebuilt from the log at every boot.
//
// A Store is safe for any number of concurrent readers and one writer per
// topic: ApplyEvents and ApplyReports take a write lock for the length of a
// batch, readers a read lock. Everything a reader gets back is a copy.
package memstate

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Store is an in-memory projections.StateStore. Create it with New.
type Store struct {
	shredder projections.KeyShredder

	// shredMu guards pendingShred; it is never held with mu.
	shredMu      sync.Mutex
	pendingShred []string

	mu       sync.RWMutex
	offsets  map[string]map[int]int64 // topic -> partition -> next offset
	servers  map[string]*serverEntry  // registered servers by id
	users    map[string]*userEntry    // by lowercased email
	settings map[string]string
	audit    auditLog                          // oldest first; rows are never mutated
	seen     map[uuid.UUID]struct{}            // ids of the unversioned events applied
	statuses map[string]projections.StatusView // by server id, registered or not
	ifaces   map[string]ifaceEntry             // by server id, registered or not
	stats    map[statKey]statEntry

	// sortedIDs caches the keys of servers, sorted; nil after a change.
	// Readers fill it under the read lock (they all compute the same), a
	// registration clears it under the write lock.
	sortedIDs atomic.Pointer[[]string]
	// statusRows is Statuses' answer kept current: the status of every
	// registered server in id order, statusRank its index by id. Reports
	// update it in place; a registration invalidates it and the next
	// Statuses rebuilds it (under the write lock). Under mu.
	statusRows  []projections.StatusView
	statusRank  map[string]int
	statusValid bool
}

// serverEntry is a registered server with the view fields events carry.
type serverEntry struct {
	agg          *domain.Server
	registeredAt time.Time
	peerCreated  map[string]time.Time // by client id
}

type userEntry struct {
	user      domain.User
	createdAt time.Time
}

type ifaceEntry struct {
	info domain.InterfaceInfo
	at   time.Time // ReportedAt of the report that carried it
}

type statKey struct{ serverID, publicKey string }

type statEntry struct {
	stat domain.PeerStat
	at   time.Time // ReportedAt of the report that carried it
}

var _ projections.StateStore = (*Store)(nil)

// New returns an empty store. shredder destroys the data key of every peer
// whose deletion is applied; nil disables shredding (for tools that only
// read, never for a server).
func New(shredder projections.KeyShredder) *Store {
	s := &Store{shredder: shredder}
	s.clear()
	return s
}

// clear empties every map; the caller holds mu or owns s exclusively.
func (s *Store) clear() {
	s.offsets = make(map[string]map[int]int64)
	s.servers = make(map[string]*serverEntry)
	s.sortedIDs.Store(nil)
	s.statusValid = false
	s.users = make(map[string]*userEntry)
	s.settings = make(map[string]string)
	s.audit = auditLog{}
	s.seen = make(map[uuid.UUID]struct{})
	s.statuses = make(map[string]projections.StatusView)
	s.ifaces = make(map[string]ifaceEntry)
	s.stats = make(map[statKey]statEntry)
}

// Reset empties the store, offsets included. Keys waiting to be shredded
// stay queued: a rebuild must not resurrect them.
func (s *Store) Reset(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstate: reset: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	return nil
}

// NextOffsets returns the next offset to apply of every partition of topic
// seen so far.
func (s *Store) NextOffsets(ctx context.Context, topic string) (map[int]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: next offsets of %s: %w", topic, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[int]int64, len(s.offsets[topic]))
	for p, next := range s.offsets[topic] {
		out[p] = next
	}
	return out, nil
}

// nextOffset returns the next offset of (topic, partition); mu is held.
func (s *Store) nextOffset(topic string, partition int) int64 {
	return s.offsets[topic][partition]
}

// advance records that offset was applied; mu is held for writing.
func (s *Store) advance(topic string, partition int, offset int64) {
	m, ok := s.offsets[topic]
	if !ok {
		m = make(map[int]int64)
		s.offsets[topic] = m
	}
	if offset+1 > m[partition] {
		m[partition] = offset + 1
	}
}
