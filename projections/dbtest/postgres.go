package dbtest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL creates an empty database on the server named by
// SENTRAZONE_TEST_POSTGRES_URL, drops it when the test ends, and returns a
// URL pointing at it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := baseURL(t, PostgresEnv)
	name := databaseName(t)

	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := pgExec(ctx, base, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create postgres database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		// Best effort: a leftover database only costs disk space.
		_ = pgExec(ctx, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})

	u, err := postgresURLWithDatabase(base, name)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return u
}

// pgExec runs one statement on a short-lived connection to url.
func pgExec(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// postgresURLWithDatabase points base at database name. base is either a
// URL (postgres://...) or a keyword/value string (host=... user=...).
func postgresURLWithDatabase(base, name string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		// In keyword/value form a later keyword wins.
		return base + " dbname=" + name, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	u.RawPath = ""
	q := u.Query()
	if q.Has("dbname") {
		q.Del("dbname")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}
