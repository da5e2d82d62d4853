package projections

import (
	"context"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// Decoded is one log record decoded into an event, with its position.
type Decoded struct {
	Partition int
	Offset    int64
	Event     domain.Envelope
}

// ServerView is a registered server as the API shows it.
type ServerView struct {
	ID           string
	Name         string
	Endpoint     string
	Subnet       string
	DNS          string
	PublicKey    string // from the agent's latest report; "" before any
	ListenPort   int    // from the agent's latest report; 0 before any
	Version      int64
	RegisteredAt time.Time
}

// PeerView is a peer with the agent's latest statistics for it.
type PeerView struct {
	ServerID          string
	Peer              domain.Peer
	CreatedAt         time.Time
	LatestHandshakeAt *time.Time // nil before any handshake was reported
	Endpoint          string
	TransferRx        uint64
	TransferTx        uint64
}

// StatusView is the latest report of a registered server. Reported is
// false for a server that never reported; the numbers are zero then.
type StatusView struct {
	ServerID       string
	Reported       bool
	PingMS         float64
	PingOK         bool
	Peers          int
	TransferRx     uint64
	TransferTx     uint64
	ReportedAt     time.Time
	AppliedVersion int64
}

// UserView is a user account with its creation time.
type UserView struct {
	User      domain.User
	CreatedAt time.Time
}

// StateReader is what the API and command handlers read.
type StateReader interface {
	// Server returns the server aggregate with its peers and version, or
	// nil when the server is not registered.
	Server(ctx context.Context, id string) (*domain.Server, error)
	// ServerView returns one server, false when unknown.
	ServerView(ctx context.Context, id string) (ServerView, bool, error)
	// RegisteredServers returns those of ids that are registered servers,
	// each once, in no particular order.
	RegisteredServers(ctx context.Context, ids []string) ([]string, error)
	// Servers returns every registered server sorted by id.
	Servers(ctx context.Context) ([]ServerView, error)
	// Peers returns the peers of a server sorted by address, with stats.
	Peers(ctx context.Context, serverID string) ([]PeerView, error)
	// Peer returns one peer with stats, false when unknown.
	Peer(ctx context.Context, serverID, clientID string) (PeerView, bool, error)
	// User returns the user with that (lowercased) email, nil when unknown.
	User(ctx context.Context, email string) (*domain.User, error)
	// Users returns every user sorted by email.
	Users(ctx context.Context) ([]UserView, error)
	// Statuses returns one entry per registered server sorted by id.
	Statuses(ctx context.Context) ([]StatusView, error)
	// Settings returns every setting.
	Settings(ctx context.Context) (map[string]string, error)
	AuditReader
}

// StateStore is the read model of the events topic (servers, peers, users,
// settings, audit) and of the reports topic's latest values (status, peer
// stats, server interface).
//
// Apply methods are idempotent by position: a store keeps the next offset
// of every (topic, partition) it has applied, in the same transaction as
// the rows, and skips records below it, so several replicas may feed one
// store and a batch may be delivered twice. Versioned events
// (domain.AggregateKindOf != AggregateNone) whose AggregateVersion is not
// the aggregate's current version are stale: they change nothing and get
// no audit row. Every other event applied gets exactly one audit row.
// Batches are shared with the other sinks of the topic (the history
// store reads the same reports): apply methods only read them.
type StateStore interface {
	StateReader
	ApplyEvents(ctx context.Context, partition int, batch []Decoded) error
	ApplyReports(ctx context.Context, partition int, batch []Decoded) error
	// NextOffsets returns the next offset to apply of every partition of
	// topic the store has seen; absent partitions start at 0.
	NextOffsets(ctx context.Context, topic string) (map[int]int64, error)
	// Reset empties the store, offsets included (for a rebuild).
	Reset(ctx context.Context) error
}

// KeyShredder destroys per-peer data keys. State stores call it when they
// apply wg_client_deleted, so the log's sealed secrets become unreadable.
// Deleting a key that does not exist is not an error.
type KeyShredder interface {
	DeleteKey(ctx context.Context, keyID string) error
}
