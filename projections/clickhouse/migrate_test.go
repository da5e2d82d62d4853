package clickhouse

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sentrazone/sentrazone/projections/dbtest"
)

func openTest(t *testing.T) driver.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := Open(ctx, dbtest.ClickHouseURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func migrationCount(t *testing.T, conn driver.Conn) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM schema_migrations").Scan(&n); err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	return n
}

func TestMigrateFreshThenNoop(t *testing.T) {
	ctx := context.Background()
	conn := openTest(t)

	var first bytes.Buffer
	if err := Migrate(ctx, conn, slog.New(slog.NewTextHandler(&first, nil))); err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if !strings.Contains(first.String(), "file="+m.file) {
			t.Errorf("first Migrate did not log %s; log:\n%s", m.file, first.String())
		}
	}
	for _, table := range []string{"schema_migrations", "reports", "peer_traffic", "projection_offsets"} {
		var n uint64
		err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = ?", table).Scan(&n)
		if err != nil {
			t.Fatalf("look up %s: %v", table, err)
		}
		if n != 1 {
			t.Errorf("table %s missing after Migrate", table)
		}
	}
	if got := migrationCount(t, conn); got != uint64(len(ms)) {
		t.Fatalf("schema_migrations holds %d rows, want %d", got, len(ms))
	}

	var second bytes.Buffer
	if err := Migrate(ctx, conn, slog.New(slog.NewTextHandler(&second, nil))); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if second.Len() != 0 {
		t.Errorf("second Migrate logged:\n%s", second.String())
	}
	if got := migrationCount(t, conn); got != uint64(len(ms)) {
		t.Fatalf("after second Migrate schema_migrations holds %d rows, want %d", got, len(ms))
	}
}

// TestReportsBatchRoundTrip proves the driver and the server agree: a batch
// insert with an explicit column list (required by 18.16), read back.
func TestReportsBatchRoundTrip(t *testing.T) {
	ctx := context.Background()
	conn := openTest(t)
	if err := Migrate(ctx, conn, nil); err != nil {
		t.Fatalf("Migrate: %v", err)
	}

	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	batch, err := conn.PrepareBatch(ctx, `INSERT INTO reports
		(server_id, reported_at, ping_ms, ping_ok, peers, transfer_rx, transfer_tx, kafka_partition, kafka_offset)`)
	if err != nil {
		t.Fatalf("PrepareBatch: %v", err)
	}
	for i := range 3 {
		err := batch.Append("srv-1", at.Add(time.Duration(i)*time.Minute), 12.5+float64(i), uint8(1),
			uint32(i), uint64(1000*i), uint64(2000*i), uint16(2), uint64(40+i))
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatalf("Send: %v", err)
	}

	rows, err := conn.Query(ctx, `SELECT reported_at, ping_ms, ping_ok, peers, transfer_rx, kafka_offset
		FROM reports WHERE server_id = ? ORDER BY reported_at`, "srv-1")
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var (
			gotAt  time.Time
			ping   float64
			ok     uint8
			peers  uint32
			rx     uint64
			offset uint64
		)
		if err := rows.Scan(&gotAt, &ping, &ok, &peers, &rx, &offset); err != nil {
			t.Fatalf("Scan: %v", err)
		}
		wantAt := at.Add(time.Duration(i) * time.Minute)
		if !gotAt.Equal(wantAt) || ping != 12.5+float64(i) || ok != 1 || peers != uint32(i) ||
			rx != uint64(1000*i) || offset != uint64(40+i) {
			t.Errorf("row %d = (%v, %v, %v, %v, %v, %v)", i, gotAt, ping, ok, peers, rx, offset)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	if i != 3 {
		t.Fatalf("read %d rows, want 3", i)
	}
}

func TestOpenRejectsBadURL(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{"::not a url", "http://127.0.0.1:8123/db"} {
		if conn, err := Open(ctx, url); err == nil {
			conn.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
}
