// Package dbtest gives tests a throwaway database on the real Postgres and
// ClickHouse servers named by the environment.
//
// The base URLs come from SENTRAZONE_TEST_POSTGRES_URL and
// SENTRAZONE_TEST_CLICKHOUSE_URL (scripts/test.sh sets both). Without them a
// test is skipped on a laptop, and fails when CI is set, so a green CI always
// means the real databases were exercised.
//
// Import it from _test.go files only.
package dbtest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"
)

const (
	// PostgresEnv names the variable holding the base Postgres URL. Its role
	// must be allowed to CREATE DATABASE.
	PostgresEnv = "SENTRAZONE_TEST_POSTGRES_URL"
	// ClickHouseEnv names the variable holding the base ClickHouse URL
	// (native protocol, clickhouse://host:9000/db).
	ClickHouseEnv = "SENTRAZONE_TEST_CLICKHOUSE_URL"

	// namePrefix starts every throwaway database name.
	namePrefix = "sz_test_"
	// opTimeout bounds each create and drop.
	opTimeout = 30 * time.Second
)

// baseURL returns the value of env, skipping the test when it is empty, or
// failing it when CI is set.
func baseURL(t testing.TB, env string) string {
	t.Helper()
	if u := os.Getenv(env); u != "" {
		return u
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("dbtest: %s is not set but CI is: run the tests through scripts/test.sh, which starts the databases", env)
	}
	t.Skipf("dbtest: %s is not set; skipping (scripts/test.sh sets it)", env)
	return ""
}

// databaseName returns a fresh name such as sz_test_3f9c0a1b2c3d4e5f: only
// lower case letters, digits and underscores, so it needs no quoting.
func databaseName(t testing.TB) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("dbtest: random database name: %v", err)
	}
	return namePrefix + hex.EncodeToString(b[:])
}
