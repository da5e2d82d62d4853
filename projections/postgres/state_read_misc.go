package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

const userSQL = `SELECT id, email, role, password_hash_sealed, key_id, version, created_at FROM users`

// scanUser reads one row of userSQL.
func scanUser(row pgx.CollectableRow) (projections.UserView, error) {
	var (
		v    projections.UserView
		u    = &v.User
		role string
	)
	err := row.Scan(&u.UserID, &u.Email, &role, &u.PasswordHashSealed, &u.KeyID, &u.Version, &v.CreatedAt)
	u.Role, v.CreatedAt = domain.Role(role), v.CreatedAt.UTC()
	return v, err
}

// User returns the user with that email (any case), nil when unknown.
func (s *StateStore) User(ctx context.Context, email string) (*domain.User, error) {
	v, ok, err := queryOne(ctx, s.pool, scanUser, userSQL+` WHERE email = $1`, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return nil, fmt.Errorf("postgres state: user: %w", err)
	}
	if !ok {
		return nil, nil
	}
	return &v.User, nil
}

// Users returns every user sorted by email.
func (s *StateStore) Users(ctx context.Context) ([]projections.UserView, error) {
	out, err := queryAll(ctx, s.pool, scanUser, userSQL+` ORDER BY email COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres state: users: %w", err)
	}
	return out, nil
}

// Statuses returns one entry per registered server sorted by id; Reported
// is false for a server that never reported.
func (s *StateStore) Statuses(ctx context.Context) ([]projections.StatusView, error) {
	out, err := queryAll(ctx, s.pool, scanStatus, `SELECT s.id, st.ping_ms, st.ping_ok, st.peers, st.transfer_rx,
			st.transfer_tx, st.reported_at, st.applied_version
		FROM servers s LEFT JOIN server_status st ON st.server_id = s.id ORDER BY s.id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres state: statuses: %w", err)
	}
	return out, nil
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

// Settings returns every setting.
func (s *StateStore) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("postgres state: settings: %w", err)
	}
	out := make(map[string]string)
	var k, v string
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		out[k] = v
		return nil
	}); err != nil {
		return nil, fmt.Errorf("postgres state: settings: %w", err)
	}
	return out, nil
}
