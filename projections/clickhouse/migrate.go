package clickhouse

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Migrations are numbered NNNN_name.sql files, append-only: once a file has
// landed it is never edited; a change is a new file. ClickHouse has no
// transactions and Migrate takes no lock, so every statement must be
// idempotent (CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS): replicas
// migrating at once, or a crash between a file and its record, re-run it.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// createSchemaMigrations holds one row per applied file. MergeTree rather
// than TinyLog, since replicas may read and write it at the same time.
const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    UInt32,
    name       String,
    applied_at DateTime
) ENGINE = MergeTree() ORDER BY version`

// Log field keys.
const (
	logKeyVersion  = "version"
	logKeyFile     = "file"
	logKeyDuration = "duration"
)

type migration struct {
	version uint32
	file    string
	stmts   []string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Migrate applies, in version order, the embedded migrations not yet recorded
// in schema_migrations of conn's database, records each, and logs each one it
// applied. Running it on an up-to-date database changes nothing. log may be
// nil.
func Migrate(ctx context.Context, conn driver.Conn, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("clickhouse migrate: %w", err)
	}
	if err := conn.Exec(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("clickhouse migrate: create schema_migrations: %w", err)
	}
	applied, err := appliedVersions(ctx, conn)
	if err != nil {
		return fmt.Errorf("clickhouse migrate: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		start := time.Now()
		for i, stmt := range m.stmts {
			if err := conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("clickhouse migrate: %s statement %d: %w", m.file, i+1, err)
			}
		}
		if err := record(ctx, conn, m); err != nil {
			return fmt.Errorf("clickhouse migrate: record %s: %w", m.file, err)
		}
		log.InfoContext(ctx, "clickhouse migration applied",
			logKeyVersion, m.version,
			logKeyFile, m.file,
			logKeyDuration, time.Since(start),
		)
	}
	return nil
}

// loadMigrations reads the embedded files, sorted by version.
func loadMigrations() ([]migration, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(entries))
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_lower_snake.sql", e.Name())
		}
		version, err := strconv.ParseUint(m[1], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		src, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		stmts := splitStatements(string(src))
		if len(stmts) == 0 {
			return nil, fmt.Errorf("migration %s: no statements", e.Name())
		}
		ms = append(ms, migration{version: uint32(version), file: e.Name(), stmts: stmts})
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].file, ms[i].file)
		}
	}
	return ms, nil
}

func appliedVersions(ctx context.Context, conn driver.Conn) (map[uint32]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := make(map[uint32]bool)
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

// record inserts m into schema_migrations. It uses a batch: on 18.16 an
// INSERT ... VALUES sent through Exec never completes.
func record(ctx context.Context, conn driver.Conn, m migration) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, applied_at)")
	if err != nil {
		return err
	}
	if err := batch.Append(m.version, m.file, time.Now().UTC()); err != nil {
		_ = batch.Abort()
		return err
	}
	return batch.Send()
}
