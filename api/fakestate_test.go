package api

import (
	"context"
	"sort"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// fakeState is an in-memory StateReader. err, when set, is returned by
// every read.
type fakeState struct {
	err      error
	servers  map[string]projections.ServerView
	peers    map[string][]projections.PeerView // by server id
	statuses []projections.StatusView
	users    []projections.UserView
	audit    []projections.AuditRow // newest first

	// export, when set, replaces ExportAudit.
	export func(ctx context.Context, f projections.AuditFilter, fn func(projections.AuditRow) error) error
	// lastAudit records Audit's arguments.
	lastAudit struct {
		f             projections.AuditFilter
		limit, offset int
	}
}

func (s *fakeState) Server(context.Context, string) (*domain.Server, error) {
	return nil, errNotFaked
}

func (s *fakeState) ServerView(_ context.Context, id string) (projections.ServerView, bool, error) {
	if s.err != nil {
		return projections.ServerView{}, false, s.err
	}
	v, ok := s.servers[id]
	return v, ok, nil
}

func (s *fakeState) RegisteredServers(_ context.Context, ids []string) ([]string, error) {
	if s.err != nil {
		return nil, s.err
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := s.servers[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *fakeState) Servers(context.Context) ([]projections.ServerView, error) {
	if s.err != nil {
		return nil, s.err
	}
	var out []projections.ServerView
	for _, v := range s.servers {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *fakeState) Peers(_ context.Context, serverID string) ([]projections.PeerView, error) {
	if s.err != nil {
		return nil, s.err
	}
	return s.peers[serverID], nil
}

func (s *fakeState) Peer(_ context.Context, serverID, clientID string) (projections.PeerView, bool, error) {
	if s.err != nil {
		return projections.PeerView{}, false, s.err
	}
	for _, p := range s.peers[serverID] {
		if p.Peer.ClientID == clientID {
			return p, true, nil
		}
	}
	return projections.PeerView{}, false, nil
}

func (s *fakeState) User(context.Context, string) (*domain.User, error) { return nil, errNotFaked }

func (s *fakeState) Users(context.Context) ([]projections.UserView, error) {
	return s.users, s.err
}

func (s *fakeState) Statuses(context.Context) ([]projections.StatusView, error) {
	return s.statuses, s.err
}

func (s *fakeState) Settings(context.Context) (map[string]string, error) { return nil, errNotFaked }

func (s *fakeState) Audit(_ context.Context, f projections.AuditFilter, limit, offset int) ([]projections.AuditRow, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.lastAudit.f, s.lastAudit.limit, s.lastAudit.offset = f, limit, offset
	rows := s.audit
	if offset >= len(rows) {
		return nil, nil
	}
	rows = rows[offset:]
	return rows[:min(limit, len(rows))], nil
}

func (s *fakeState) ExportAudit(ctx context.Context, f projections.AuditFilter, fn func(projections.AuditRow) error) error {
	if s.export != nil {
		return s.export(ctx, f, fn)
	}
	for _, r := range s.audit {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeState) AuditChain(context.Context, func(projections.AuditRow) error) error {
	return errNotFaked
}
