// Package postgres holds the Postgres read-model store of the projections.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are numbered NNNN_name.sql goose files, append-only: once a file
// has landed it is never edited; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID names the advisory lock that serialises Migrate across
// replicas starting at once; any constant unique to Sentrazone will do.
const migrationLockID int64 = 0x5a0e1c2b

// Log field keys.
const (
	logKeyVersion  = "version"
	logKeyFile     = "file"
	logKeyDuration = "duration"
)

// migrations returns the embedded migration directory.
func migrations() (fs.FS, error) {
	return fs.Sub(migrationFiles, "migrations")
}

// Migrate applies the pending embedded migrations to db, in order, each in its
// own transaction, and logs every migration it applied. It holds a Postgres
// advisory lock meanwhile, so replicas may call it concurrently. Running it on
// an up-to-date database changes nothing.
//
// db must use a Postgres driver, such as github.com/jackc/pgx/v5/stdlib
// (stdlib.OpenDBFromPool adapts a pgxpool; MigrateURL starts from a URL).
// Migrate does not close db. log may be nil.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fsys, err := migrations()
	if err != nil {
		return fmt.Errorf("postgres migrate: embedded files: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID),
		lock.WithLockTimeout(1, 300), // every second, up to 5 minutes
	)
	if err != nil {
		return fmt.Errorf("postgres migrate: session locker: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return fmt.Errorf("postgres migrate: load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	for _, r := range results {
		if r.Error != nil {
			continue
		}
		log.InfoContext(ctx, "postgres migration applied",
			logKeyVersion, r.Source.Version,
			logKeyFile, path.Base(r.Source.Path),
			logKeyDuration, r.Duration,
		)
	}
	if err != nil {
		return fmt.Errorf("postgres migrate: apply: %w", err)
	}
	version, err := provider.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("postgres migrate: read version: %w", err)
	}
	log.DebugContext(ctx, "postgres schema up to date", logKeyVersion, version)
	return nil
}

// MigrateURL connects to url (a postgres:// URL or keyword/value string) with
// the pgx driver, runs Migrate and disconnects again.
func MigrateURL(ctx context.Context, url string, log *slog.Logger) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("postgres migrate: parse url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return Migrate(ctx, db, log)
}
