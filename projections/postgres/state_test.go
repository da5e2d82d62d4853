package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sentrazone/sentrazone/projections/contract"
	"github.com/sentrazone/sentrazone/projections/dbtest"
	"github.com/sentrazone/sentrazone/projections/postgres"
)

// newPool opens a pool on url, closed when the test ends.
func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpoolNew(t, url)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	return pool
}

// pgxpoolNew opens a pool on url, closed when the test ends.
func pgxpoolNew(tb testing.TB, url string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(tb.Context(), url)
	if err != nil {
		return nil, err
	}
	tb.Cleanup(pool.Close)
	return pool, nil
}

// pgKeys gives the contract suite the data_keys table.
type pgKeys struct{ keys *postgres.KeyStore }

func (k pgKeys) AddKey(ctx context.Context, keyID string) error {
	return k.keys.PutKey(ctx, keyID, []byte("wrapped-"+keyID))
}

func (k pgKeys) KeyExists(ctx context.Context, keyID string) (bool, error) {
	_, err := k.keys.GetKey(ctx, keyID)
	if errors.Is(err, postgres.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

func TestStateStoreContract(t *testing.T) {
	contract.RunStateStore(t, func(t *testing.T) contract.StateHarness {
		url := dbtest.PostgresURL(t)
		if err := postgres.MigrateURL(t.Context(), url, nil); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		pool := newPool(t, url)
		return contract.StateHarness{
			Store:   postgres.NewStateStore(pool),
			Replica: postgres.NewStateStore(newPool(t, url)),
			Keys:    pgKeys{keys: postgres.NewKeyStore(pool, nil)},
		}
	})
}
