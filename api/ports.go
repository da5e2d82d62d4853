package api

import (
	"context"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
	"github.com/sentrazone/sentrazone/projections"
)

// Actor is who sends a command and from where.
type Actor = ingest.Actor

// NewServer is an admin's request to register a server.
type NewServer = ingest.NewServer

// Commands is the write side: every method appends events to the log and
// returns once the read model shows the change (read your writes).
// Domain errors come back as *domain.Error (kinds map to 400/404/409).
type Commands interface {
	// RegisterServer registers a server and returns it with its new agent
	// token, shown only this once.
	RegisterServer(ctx context.Context, a Actor, s NewServer) (projections.ServerView, string, error)
	CreatePeer(ctx context.Context, a Actor, serverID, name string) (projections.PeerView, error)
	SetPeerEnabled(ctx context.Context, a Actor, serverID, clientID string, enabled bool) (projections.PeerView, error)
	DeletePeer(ctx context.Context, a Actor, serverID, clientID string) error
	CreateUser(ctx context.Context, a Actor, email, password string, role domain.Role) (projections.UserView, error)
	// Login checks credentials and records login_succeeded or
	// login_failed. It returns ingest.ErrBadCredentials for an unknown email and
	// a wrong password alike.
	Login(ctx context.Context, ip, email, password string) (*domain.User, error)
	// LoginThrottled records that logins for email from ip are refused by
	// the rate limit.
	LoginThrottled(ctx context.Context, ip, email string) error
	// RecordAuditExport records that an export ran.
	RecordAuditExport(ctx context.Context, a Actor, filters map[string]string, rows int64) error
	// PeerSecrets opens a peer's private and preshared keys (base64).
	PeerSecrets(ctx context.Context, serverID, clientID string) (privateKey, presharedKey string, err error)
	// AgentConfig returns a server's desired device state at once when its
	// version is newer than after, else when it changes, else after wait.
	AgentConfig(ctx context.Context, serverID string, after int64, wait time.Duration) (domain.AgentConfig, error)
}

// Reports is the agent-report path.
type Reports interface {
	// Authenticate checks an agent's bearer token: ingest.ErrUnauthenticated
	// unless it is the fleet token or a server's own.
	Authenticate(ctx context.Context, token string) (ingest.Agent, error)
	// Authorize checks that agent may report for the servers of reports:
	// ingest.ErrForbidden when a per-server token names another server.
	// The fleet registers unknown servers (remoteIP helps guess their
	// endpoint).
	Authorize(ctx context.Context, agent ingest.Agent, remoteIP string, reports []domain.ServerReported) error
	// Submit appends validated reports and returns once the log
	// acknowledged them.
	Submit(ctx context.Context, reports []domain.ServerReported) error
}

// Health reports readiness for /readyz.
type Health interface {
	// Ready returns nil when the log and stores answer and projections are
	// caught up within bound.
	Ready(ctx context.Context) error
}

// Clock is the time source; tests move it.
type Clock func() time.Time
