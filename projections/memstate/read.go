package memstate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Server returns a copy of the server aggregate, nil when not registered.
func (s *Store) Server(ctx context.Context, id string) (*domain.Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: server %q: %w", id, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.servers[id]
	if e == nil {
		return nil, nil
	}
	return e.agg.Clone(), nil
}

// ServerView returns one registered server, false when unknown.
func (s *Store) ServerView(ctx context.Context, id string) (projections.ServerView, bool, error) {
	if err := ctx.Err(); err != nil {
		return projections.ServerView{}, false, fmt.Errorf("memstate: server view %q: %w", id, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.servers[id]
	if e == nil {
		return projections.ServerView{}, false, nil
	}
	return s.serverView(e), true, nil
}

// RegisteredServers returns those of ids that are registered servers.
func (s *Store) RegisteredServers(ctx context.Context, ids []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: registered servers: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []string{}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if s.servers[id] != nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// Servers returns every registered server sorted by id.
func (s *Store) Servers(ctx context.Context) ([]projections.ServerView, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: servers: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]projections.ServerView, 0, len(s.servers))
	for _, id := range s.serverIDs() {
		out = append(out, s.serverView(s.servers[id]))
	}
	return out, nil
}

// serverView builds the view of a registered server; mu is held.
func (s *Store) serverView(e *serverEntry) projections.ServerView {
	a := e.agg
	iface := s.ifaces[a.ID].info
	return projections.ServerView{
		ID:           a.ID,
		Name:         a.Name,
		Endpoint:     a.Endpoint,
		Subnet:       a.Subnet.String(),
		DNS:          a.DNS,
		PublicKey:    iface.PublicKey,
		ListenPort:   iface.ListenPort,
		Version:      a.Version,
		RegisteredAt: e.registeredAt,
	}
}

// Peers returns the peers of a server sorted by address, with their latest
// statistics; none for an unknown server.
func (s *Store) Peers(ctx context.Context, serverID string) ([]projections.PeerView, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: peers of %q: %w", serverID, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.servers[serverID]
	if e == nil {
		return []projections.PeerView{}, nil
	}
	peers := e.agg.Peers()
	out := make([]projections.PeerView, 0, len(peers))
	for _, p := range peers {
		out = append(out, s.peerView(e, p))
	}
	return out, nil
}

// Peer returns one peer with its latest statistics, false when unknown.
func (s *Store) Peer(ctx context.Context, serverID, clientID string) (projections.PeerView, bool, error) {
	if err := ctx.Err(); err != nil {
		return projections.PeerView{}, false, fmt.Errorf("memstate: peer %q of %q: %w", clientID, serverID, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.servers[serverID]
	if e == nil {
		return projections.PeerView{}, false, nil
	}
	p, ok := e.agg.Peer(clientID)
	if !ok {
		return projections.PeerView{}, false, nil
	}
	return s.peerView(e, p), true, nil
}

// peerView joins a peer with its statistics; mu is held.
func (s *Store) peerView(e *serverEntry, p domain.Peer) projections.PeerView {
	v := projections.PeerView{ServerID: e.agg.ID, Peer: p, CreatedAt: e.peerCreated[p.ClientID]}
	if st, ok := s.stats[statKey{serverID: e.agg.ID, publicKey: p.PublicKey}]; ok {
		if hs := st.stat.LatestHandshakeAt; !hs.IsZero() {
			v.LatestHandshakeAt = &hs
		}
		v.Endpoint = st.stat.Endpoint
		v.TransferRx, v.TransferTx = st.stat.TransferRx, st.stat.TransferTx
	}
	return v
}

// User returns the user with that email (any case), nil when unknown.
func (s *Store) User(ctx context.Context, email string) (*domain.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: user: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.users[strings.ToLower(strings.TrimSpace(email))]
	if e == nil {
		return nil, nil
	}
	u := e.user
	return &u, nil
}

// Users returns every user sorted by email.
func (s *Store) Users(ctx context.Context) ([]projections.UserView, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: users: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]projections.UserView, 0, len(s.users))
	for _, email := range slices.Sorted(maps.Keys(s.users)) {
		e := s.users[email]
		out = append(out, projections.UserView{User: e.user, CreatedAt: e.createdAt})
	}
	return out, nil
}

// Statuses returns one entry per registered server sorted by id; Reported
// is false for a server that never reported.
func (s *Store) Statuses(ctx context.Context) ([]projections.StatusView, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: statuses: %w", err)
	}
	s.mu.RLock()
	if s.statusValid {
		out := slices.Clone(s.statusRows)
		s.mu.RUnlock()
		return out, nil
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.statusValid {
		s.rebuildStatusRows()
	}
	return slices.Clone(s.statusRows), nil
}

// rebuildStatusRows fills statusRows and statusRank from the registered
// servers; mu is held for writing.
func (s *Store) rebuildStatusRows() {
	ids := s.serverIDs()
	s.statusRows = make([]projections.StatusView, len(ids))
	s.statusRank = make(map[string]int, len(ids))
	for i, id := range ids {
		st, ok := s.statuses[id]
		if !ok {
			st = projections.StatusView{ServerID: id}
		}
		s.statusRows[i] = st
		s.statusRank[id] = i
	}
	s.statusValid = true
}

// Settings returns a copy of every setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstate: settings: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return maps.Clone(s.settings), nil
}

// serverIDs returns the registered server ids, sorted, from the cache
// when no server was registered since it was filled; s.mu is held, for
// reading at least. The result must not be modified.
func (s *Store) serverIDs() []string {
	if p := s.sortedIDs.Load(); p != nil {
		return *p
	}
	ids := slices.Sorted(maps.Keys(s.servers))
	s.sortedIDs.Store(&ids)
	return ids
}
