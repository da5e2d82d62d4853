package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
	"github.com/sentrazone/sentrazone/projections"
)

var errNotFaked = errors.New("fake: not set up for this call")

// fakeCommands answers commands through optional functions and records
// audit exports.
type fakeCommands struct {
	registerServer func(a Actor, s NewServer) (projections.ServerView, string, error)
	createPeer     func(a Actor, serverID, name string) (projections.PeerView, error)
	setPeerEnabled func(a Actor, serverID, clientID string, enabled bool) (projections.PeerView, error)
	deletePeer     func(a Actor, serverID, clientID string) error
	createUser     func(a Actor, email, password string, role domain.Role) (projections.UserView, error)
	login          func(ip, email, password string) (*domain.User, error)
	peerSecrets    func(serverID, clientID string) (string, string, error)

	mu      sync.Mutex
	exports []exportCall
	// throttled holds "ip email" of each LoginThrottled call.
	throttled []string
}

type exportCall struct {
	actor   Actor
	filters map[string]string
	rows    int64
}

func (f *fakeCommands) RegisterServer(_ context.Context, a Actor, s NewServer) (projections.ServerView, string, error) {
	if f.registerServer == nil {
		return projections.ServerView{}, "", errNotFaked
	}
	return f.registerServer(a, s)
}

func (f *fakeCommands) CreatePeer(_ context.Context, a Actor, serverID, name string) (projections.PeerView, error) {
	if f.createPeer == nil {
		return projections.PeerView{}, errNotFaked
	}
	return f.createPeer(a, serverID, name)
}

func (f *fakeCommands) SetPeerEnabled(_ context.Context, a Actor, serverID, clientID string, enabled bool) (projections.PeerView, error) {
	if f.setPeerEnabled == nil {
		return projections.PeerView{}, errNotFaked
	}
	return f.setPeerEnabled(a, serverID, clientID, enabled)
}

func (f *fakeCommands) DeletePeer(_ context.Context, a Actor, serverID, clientID string) error {
	if f.deletePeer == nil {
		return errNotFaked
	}
	return f.deletePeer(a, serverID, clientID)
}

func (f *fakeCommands) CreateUser(_ context.Context, a Actor, email, password string, role domain.Role) (projections.UserView, error) {
	if f.createUser == nil {
		return projections.UserView{}, errNotFaked
	}
	return f.createUser(a, email, password, role)
}

func (f *fakeCommands) Login(_ context.Context, ip, email, password string) (*domain.User, error) {
	if f.login == nil {
		return nil, errNotFaked
	}
	return f.login(ip, email, password)
}

func (f *fakeCommands) LoginThrottled(_ context.Context, ip, email string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttled = append(f.throttled, ip+" "+email)
	return nil
}

func (f *fakeCommands) RecordAuditExport(_ context.Context, a Actor, filters map[string]string, rows int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exports = append(f.exports, exportCall{actor: a, filters: filters, rows: rows})
	return nil
}

func (f *fakeCommands) PeerSecrets(_ context.Context, serverID, clientID string) (string, string, error) {
	if f.peerSecrets == nil {
		return "", "", errNotFaked
	}
	return f.peerSecrets(serverID, clientID)
}

// exportCalls returns the recorded audit exports.
func (f *fakeCommands) exportCalls() []exportCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]exportCall(nil), f.exports...)
}

// fakeReports knows the agents of a few tokens and records submitted
// batches. A per-server agent may report for its own server only, as
// with ingest.Reports; forbid refuses more.
type fakeReports struct {
	agents map[string]ingest.Agent
	forbid func(reports []domain.ServerReported) error

	mu        sync.Mutex
	submitted [][]domain.ServerReported
}

func (f *fakeReports) Authenticate(_ context.Context, token string) (ingest.Agent, error) {
	a, ok := f.agents[token]
	if !ok {
		return ingest.Agent{}, ingest.ErrUnauthenticated
	}
	return a, nil
}

func (f *fakeReports) Authorize(_ context.Context, a ingest.Agent, _ string, reports []domain.ServerReported) error {
	for _, r := range reports {
		if !a.Fleet && r.ServerID != a.Server {
			return fmt.Errorf("%w: token of %q used for %q", ingest.ErrForbidden, a.Server, r.ServerID)
		}
	}
	if f.forbid != nil {
		return f.forbid(reports)
	}
	return nil
}

func (f *fakeReports) Submit(_ context.Context, reports []domain.ServerReported) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.submitted = append(f.submitted, reports)
	return nil
}

// fakeHistory records the last query and answers fixed points.
type fakeHistory struct {
	mu     sync.Mutex
	last   *projections.HistoryQuery
	points []projections.HistoryPoint
}

func (f *fakeHistory) History(_ context.Context, q projections.HistoryQuery) ([]projections.HistoryPoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = &q
	return f.points, nil
}

func (f *fakeHistory) lastQuery() *projections.HistoryQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// fakeHealth answers err.
type fakeHealth struct{ err error }

func (f *fakeHealth) Ready(context.Context) error { return f.err }

func (f *fakeCommands) AgentConfig(_ context.Context, serverID string, after int64, _ time.Duration) (domain.AgentConfig, error) {
	return domain.AgentConfig{ServerID: serverID, Version: after + 1, Peers: []domain.AgentPeer{}}, nil
}
