package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/dbtest"
	"github.com/sentrazone/sentrazone/projections/postgres"
)

// sqlLog records every statement a pool sends, batched or not.
type sqlLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *sqlLog) add(sql string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, sql)
}

func (l *sqlLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sql
	l.sql = nil
	return out
}

func (l *sqlLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.add(d.SQL)
	return ctx
}

func (l *sqlLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *sqlLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (l *sqlLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	l.add(d.SQL)
}

func (l *sqlLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

const relaxed = "SET LOCAL synchronous_commit = off"

// Reports transactions commit without waiting for the WAL flush (what
// they write is rebuilt from the log, offset included); the setting stays
// in their transaction, and events keep synchronous commits.
func TestOnlyReportTransactionsRelaxTheirCommit(t *testing.T) {
	ctx := t.Context()
	url := dbtest.PostgresURL(t)
	if err := postgres.MigrateURL(ctx, url, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1 // so the check below runs on the connection the apply used
	log := &sqlLog{}
	cfg.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	store := postgres.NewStateStore(pool)
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

	reg, err := domain.NewEvent(domain.ServerRegistered{ServerID: "srv-commit", Name: "srv-commit",
		Endpoint: "198.51.100.9:51820", Subnet: "10.9.0.0/24"}, "srv-commit", 0, "admin@example.com", "", at)
	if err != nil {
		t.Fatal(err)
	}
	log.take()
	if err := store.ApplyEvents(ctx, 0, []projections.Decoded{{Offset: 0, Event: reg}}); err != nil {
		t.Fatalf("apply events: %v", err)
	}
	if slices.Contains(log.take(), relaxed) {
		t.Error("an events transaction relaxed its commit; events keep synchronous commits")
	}

	rep, err := domain.NewEvent(domain.ServerReported{ServerID: "srv-commit", PingMS: 7.5, PingOK: true, ReportedAt: at},
		"srv-commit", 0, domain.AgentActor("srv-commit"), "", at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ApplyReports(ctx, 0, []projections.Decoded{{Offset: 0, Event: rep}}); err != nil {
		t.Fatalf("apply reports: %v", err)
	}
	sent := log.take()
	if i := slices.Index(sent, relaxed); i < 0 || !slices.Contains(sent[:i], "begin") {
		t.Fatalf("the reports transaction did not relax its commit inside the transaction; sent %q", sent)
	}
	var setting string
	if err := pool.QueryRow(ctx, "SHOW synchronous_commit").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != "on" {
		t.Errorf("synchronous_commit after the reports transaction = %q, want on: the setting left its transaction", setting)
	}
	statuses, err := store.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(statuses, func(s projections.StatusView) bool { return s.ServerID == "srv-commit" })
	if i < 0 || !statuses[i].Reported || statuses[i].PingMS != 7.5 {
		t.Errorf("status after the relaxed commit: %+v", statuses)
	}
}
