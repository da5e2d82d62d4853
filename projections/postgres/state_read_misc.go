package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

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
