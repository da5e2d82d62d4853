package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrKeyNotFound is returned by GetKey for an unknown or destroyed key.
var ErrKeyNotFound = errors.New("data key not found")

// KeyStore keeps wrapped data keys in the data_keys table, outside the log.
// The state store deletes a peer's key in the same transaction that applies
// the peer's deletion.
type KeyStore struct {
	pool     *pgxpool.Pool
	notFound error
}

// NewKeyStore returns a key store on pool; GetKey answers notFound (e.g.
// secrets.ErrKeyNotFound) for a missing key, ErrKeyNotFound when nil.
func NewKeyStore(pool *pgxpool.Pool, notFound error) *KeyStore {
	if notFound == nil {
		notFound = ErrKeyNotFound
	}
	return &KeyStore{pool: pool, notFound: notFound}
}

// PutKey stores a wrapped key.
func (k *KeyStore) PutKey(ctx context.Context, keyID string, wrapped []byte) error {
	_, err := k.pool.Exec(ctx,
		`INSERT INTO data_keys (key_id, wrapped_key, created_at) VALUES ($1, $2, now())`, keyID, wrapped)
	if err != nil {
		return fmt.Errorf("put data key: %w", err)
	}
	return nil
}

// GetKey loads a wrapped key.
func (k *KeyStore) GetKey(ctx context.Context, keyID string) ([]byte, error) {
	var b []byte
	err := k.pool.QueryRow(ctx, `SELECT wrapped_key FROM data_keys WHERE key_id = $1`, keyID).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, k.notFound
	}
	if err != nil {
		return nil, fmt.Errorf("get data key: %w", err)
	}
	return b, nil
}

// DeleteKey destroys a key; an absent key is not an error.
func (k *KeyStore) DeleteKey(ctx context.Context, keyID string) error {
	if _, err := k.pool.Exec(ctx, `DELETE FROM data_keys WHERE key_id = $1`, keyID); err != nil {
		return fmt.Errorf("delete data key: %w", err)
	}
	return nil
}
