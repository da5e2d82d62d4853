package dbtest

import (
	"context"
	"net/url"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouseURL creates an empty database on the server named by
// SENTRAZONE_TEST_CLICKHOUSE_URL, drops it when the test ends, and returns a
// URL pointing at it.
func ClickHouseURL(t testing.TB) string {
	t.Helper()
	base := baseURL(t, ClickHouseEnv)
	name := databaseName(t)

	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := chExec(ctx, base, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("dbtest: create clickhouse database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		// Best effort: a leftover database only costs disk space.
		_ = chExec(ctx, base, "DROP DATABASE IF EXISTS `"+name+"`")
	})

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: parse %s: %v", ClickHouseEnv, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	q := u.Query()
	if q.Has("database") {
		// The query parameter would win over the path.
		q.Del("database")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// chExec runs one statement on a short-lived native connection to dsn.
func chExec(ctx context.Context, dsn, query string) error {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Exec(ctx, query)
}
