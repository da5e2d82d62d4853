package projections

import (
	"context"
	"time"
)

// HistoryRetention is how far back history is kept and served.
const HistoryRetention = 72 * time.Hour

// HistoryQuery selects buckets of history. ServerIDs empty means all.
// From is inclusive, To exclusive; Step > 0 is the bucket width. Buckets
// start at multiples of Step since the Unix epoch.
type HistoryQuery struct {
	ServerIDs []string
	From, To  time.Time
	Step      time.Duration
}

// HistoryPoint is one bucket of one server: ping averaged over the reports
// whose probe succeeded (nil when none did), transfer counters as last
// reported in the bucket, RecordedAt the bucket start.
type HistoryPoint struct {
	ServerID   string
	PingMS     *float64
	TransferRx uint64
	TransferTx uint64
	RecordedAt time.Time
}

// HistoryStore is the read model of reports over time.
type HistoryStore interface {
	// ApplyReports stores a batch of server_reported events of one reports
	// partition. Idempotent by position, like StateStore.ApplyReports; the
	// batch is shared with the state store and only read.
	ApplyReports(ctx context.Context, partition int, batch []Decoded) error
	NextOffsets(ctx context.Context, topic string) (map[int]int64, error)
	// History returns buckets sorted by server id, then time.
	History(ctx context.Context, q HistoryQuery) ([]HistoryPoint, error)
	// Prune drops data older than before.
	Prune(ctx context.Context, before time.Time) error
	Reset(ctx context.Context) error
}
