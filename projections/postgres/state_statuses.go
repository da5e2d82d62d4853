package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sentrazone/sentrazone/projections"
)

// stateVersion identifies what the state store has applied: the count and
// sum of its offset rows. Offsets only move forward, and every apply moves
// one in the transaction that writes the rows, so an unchanged version
// means unchanged rows.
type stateVersion struct {
	rows, sum int64
}

// statusCache keeps the last statuses read with the state version read
// just before them. Reading the version is a single small query; reading
// every server's status is a join and a sort, tens of milliseconds for
// 10,000 servers.
type statusCache struct {
	mu    sync.Mutex
	valid bool
	at    stateVersion
	views []projections.StatusView
}

func (c *statusCache) get(v stateVersion) ([]projections.StatusView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.views, c.valid && c.at == v
}

func (c *statusCache) put(v stateVersion, views []projections.StatusView) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid, c.at, c.views = true, v, views
}

// version reads the state version.
func (s *StateStore) version(ctx context.Context) (stateVersion, error) {
	var v stateVersion
	err := s.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(next_offset), 0)::bigint
		FROM projection_offsets WHERE projection = $1`, StateProjection).Scan(&v.rows, &v.sum)
	if err != nil {
		return v, fmt.Errorf("state version: %w", err)
	}
	return v, nil
}

// Statuses returns one entry per registered server sorted by id; Reported
// is false for a server that never reported. The result is shared between
// callers until the store applies something: callers only read it. Any
// replica's apply changes the version, so a server registered through
// another replica is listed at once.
func (s *StateStore) Statuses(ctx context.Context) ([]projections.StatusView, error) {
	v, err := s.version(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres state: statuses: %w", err)
	}
	if views, ok := s.statuses.get(v); ok {
		return views, nil
	}
	views, err := queryAll(ctx, s.pool, scanStatus, `SELECT s.id, st.ping_ms, st.ping_ok, st.peers, st.transfer_rx,
			st.transfer_tx, st.reported_at, st.applied_version
		FROM servers s LEFT JOIN server_status st ON st.server_id = s.id ORDER BY s.id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres state: statuses: %w", err)
	}
	s.statuses.put(v, views)
	return views, nil
}

// scanStatus reads one status row; NULL report columns mean no report.
func scanStatus(row pgx.CollectableRow) (projections.StatusView, error) {
	var (
		v       projections.StatusView
		ping    pgtype.Float8
		ok      pgtype.Bool
		peers   pgtype.Int4
		rx, tx  pgtype.Int8
		at      pgtype.Timestamptz
		applied pgtype.Int8
	)
	if err := row.Scan(&v.ServerID, &ping, &ok, &peers, &rx, &tx, &at, &applied); err != nil || !at.Valid {
		return v, err
	}
	v.Reported, v.PingMS, v.PingOK, v.Peers = true, ping.Float64, ok.Bool, int(peers.Int32)
	v.TransferRx, v.TransferTx = uint64(rx.Int64), uint64(tx.Int64)
	v.ReportedAt, v.AppliedVersion = at.Time.UTC(), applied.Int64
	return v, nil
}
