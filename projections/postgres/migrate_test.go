package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sentrazone/sentrazone/projections/dbtest"
)

var wantTables = []string{
	"projection_offsets", "servers", "peers", "peer_stats", "server_status",
	"users", "settings", "audit_log", "data_keys",
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse url: %v", err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// gooseState returns how many rows the goose version table holds and the
// highest applied version.
func gooseState(t *testing.T, db *sql.DB) (rows, version int64) {
	t.Helper()
	err := db.QueryRowContext(context.Background(),
		"SELECT count(*), coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&rows, &version)
	if err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	return rows, version
}

func TestMigrateFreshThenNoop(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, dbtest.PostgresURL(t))

	var first bytes.Buffer
	if err := Migrate(ctx, db, slog.New(slog.NewTextHandler(&first, nil))); err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if !strings.Contains(first.String(), "file=0001_init.sql") {
		t.Errorf("first Migrate did not log 0001_init.sql; log:\n%s", first.String())
	}
	for _, table := range wantTables {
		var found sql.NullString
		if err := db.QueryRowContext(ctx, "SELECT to_regclass($1)::text", "public."+table).Scan(&found); err != nil {
			t.Fatalf("look up %s: %v", table, err)
		}
		if !found.Valid {
			t.Errorf("table %s missing after Migrate", table)
		}
	}
	rows, version := gooseState(t, db)
	if want := latestVersion(t); version != want {
		t.Fatalf("version after Migrate = %d, want %d", version, want)
	}

	var second bytes.Buffer
	if err := Migrate(ctx, db, slog.New(slog.NewTextHandler(&second, nil))); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if strings.Contains(second.String(), "applied") {
		t.Errorf("second Migrate applied something; log:\n%s", second.String())
	}
	rows2, version2 := gooseState(t, db)
	if rows2 != rows || version2 != version {
		t.Fatalf("second Migrate changed state: rows %d -> %d, version %d -> %d", rows, rows2, version, version2)
	}
}

func TestMigrateConcurrentReplicas(t *testing.T) {
	ctx := context.Background()
	url := dbtest.PostgresURL(t)

	const replicas = 3
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		db := openDB(t, url)
		wg.Go(func() { errs[i] = Migrate(ctx, db, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	if _, version := gooseState(t, openDB(t, url)); version != latestVersion(t) {
		t.Fatalf("version = %d, want %d", version, latestVersion(t))
	}
}

func TestSchemaConstraints(t *testing.T) {
	ctx := context.Background()
	url := dbtest.PostgresURL(t)
	if err := MigrateURL(ctx, url, nil); err != nil {
		t.Fatalf("MigrateURL: %v", err)
	}
	db := openDB(t, url)
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`INSERT INTO servers (id, name, endpoint, subnet, dns, version, registered_at)
		VALUES ('s1', 'fra-1', 'vpn.example.com:51820', '10.8.0.0/24', '1.1.1.1', 1, now())`)
	insertPeer := `INSERT INTO peers (server_id, id, name, address, public_key, enabled,
		private_key_sealed, preshared_key_sealed, key_id, created_at)
		VALUES ($1, $2, $3, $4, 'pk', true, '\x00', '\x00', 'k', now())`
	mustExec(insertPeer, "s1", "p1", "alice", "10.8.0.2")

	for _, tc := range []struct {
		name string
		args []any
	}{
		{"same address", []any{"s1", "p2", "bob", "10.8.0.2"}},
		{"same name", []any{"s1", "p3", "alice", "10.8.0.3"}},
		{"unknown server", []any{"s2", "p4", "carol", "10.8.0.4"}},
	} {
		if _, err := db.ExecContext(ctx, insertPeer, tc.args...); err == nil {
			t.Errorf("%s: insert succeeded, want a constraint violation", tc.name)
		}
	}
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// TestMigrationFilesNumbered keeps the embedded files numbered 0001, 0002, ...
// without gaps or duplicates.
func TestMigrationFilesNumbered(t *testing.T) {
	fsys, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Fatalf("%s: want NNNN_lower_snake.sql", e.Name())
		}
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("%s: version %d, want %d (no gaps, no duplicates)", e.Name(), n, i+1)
		}
	}
}

// latestVersion is the number of the newest embedded migration.
func latestVersion(t *testing.T) int64 {
	t.Helper()
	fsys, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil || len(entries) == 0 {
		t.Fatalf("read migrations: %v (%d files)", err, len(entries))
	}
	n, err := strconv.ParseInt(entries[len(entries)-1].Name()[:4], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
