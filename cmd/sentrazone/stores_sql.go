package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sentrazone/sentrazone/ingest/secrets"
	"github.com/sentrazone/sentrazone/projections/clickhouse"
	"github.com/sentrazone/sentrazone/projections/postgres"
)

// openPostgres connects, migrates, and opens the state and key stores.
func (p *platform) openPostgres(ctx context.Context) error {
	pool, err := pgxpool.New(ctx, p.cfg.PostgresURL)
	if err != nil {
		return fmt.Errorf("invalid --postgres-url (%s): %w", envName("postgres-url"), err)
	}
	p.closers = append(p.closers, pool.Close)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		return fmt.Errorf("postgres unreachable (--postgres-url): %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	if err := postgres.Migrate(ctx, db, p.logger); err != nil {
		return err
	}
	p.state = postgres.NewStateStore(pool)
	p.keys = postgres.NewKeyStore(pool, secrets.ErrKeyNotFound)
	return nil
}

// openClickHouse connects, migrates, and opens the history store.
func (p *platform) openClickHouse(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := clickhouse.Open(cctx, p.cfg.ClickHouseURL)
	if err != nil {
		return fmt.Errorf("clickhouse (--clickhouse-url): %w", err)
	}
	p.closers = append(p.closers, func() { _ = conn.Close() })
	if err := clickhouse.Migrate(ctx, conn, p.logger); err != nil {
		return err
	}
	h := clickhouse.NewHistoryStore(conn, p.logger)
	p.closers = append(p.closers, h.Close) // before the connection's
	p.history = h
	return nil
}
