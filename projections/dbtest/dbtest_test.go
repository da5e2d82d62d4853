package dbtest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5"
)

func TestPostgresURLCreatesAndDrops(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		u := PostgresURL(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatalf("connect to throwaway database: %v", err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatalf("current_database: %v", err)
		}
		if !strings.HasPrefix(name, namePrefix) {
			t.Fatalf("database %q does not start with %q", name, namePrefix)
		}
	})
	if name == "" {
		t.Skip("inner test did not run")
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv(PostgresEnv))
	if err != nil {
		t.Fatalf("connect to base database: %v", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("look up %s: %v", name, err)
	}
	if exists {
		t.Fatalf("database %s still exists after cleanup", name)
	}
}

func TestClickHouseURLCreatesAndDrops(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		u := ClickHouseURL(t)
		opts, err := clickhouse.ParseDSN(u)
		if err != nil {
			t.Fatalf("parse %s: %v", u, err)
		}
		conn, err := clickhouse.Open(opts)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer conn.Close()
		if err := conn.QueryRow(context.Background(), "SELECT currentDatabase()").Scan(&name); err != nil {
			t.Fatalf("currentDatabase: %v", err)
		}
		if !strings.HasPrefix(name, namePrefix) {
			t.Fatalf("database %q does not start with %q", name, namePrefix)
		}
	})
	if name == "" {
		t.Skip("inner test did not run")
	}

	opts, err := clickhouse.ParseDSN(os.Getenv(ClickHouseEnv))
	if err != nil {
		t.Fatalf("parse base url: %v", err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.databases WHERE name = ?", name).Scan(&n); err != nil {
		t.Fatalf("look up %s: %v", name, err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after cleanup", name)
	}
}

func TestPostgresURLWithDatabase(t *testing.T) {
	tests := []struct{ base, want string }{
		{"postgres://u:p@127.0.0.1:5432/base?sslmode=disable", "postgres://u:p@127.0.0.1:5432/sz_test_x?sslmode=disable"},
		{"postgresql://127.0.0.1/base", "postgresql://127.0.0.1/sz_test_x"},
		{"postgres://127.0.0.1/base?dbname=base", "postgres://127.0.0.1/sz_test_x"},
		{"host=127.0.0.1 dbname=base", "host=127.0.0.1 dbname=base dbname=sz_test_x"},
	}
	for _, tt := range tests {
		got, err := postgresURLWithDatabase(tt.base, "sz_test_x")
		if err != nil {
			t.Fatalf("%s: %v", tt.base, err)
		}
		if got != tt.want {
			t.Errorf("postgresURLWithDatabase(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}
