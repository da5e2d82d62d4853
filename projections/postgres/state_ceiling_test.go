package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/dbtest"
	"github.com/sentrazone/sentrazone/projections/postgres"
)

// The raw ceilings of BenchmarkApplyReports: the rows the state store
// writes for the same batches (the newest status and interface of each
// server, the newest statistics of each peer), written straight into the
// same tables with pgx, without offsets. They skip without
// SENTRAZONE_TEST_POSTGRES_URL.

// BenchmarkCeilingCopyUpsert copies the rows into temporary tables and
// upserts them from there, one statement per table.
func BenchmarkCeilingCopyUpsert(b *testing.B) {
	benchCeiling(b, writeCopyUpsert)
}

// BenchmarkCeilingBatchUpserts sends one upsert per row in a pgx.Batch.
func BenchmarkCeilingBatchUpserts(b *testing.B) {
	benchCeiling(b, writeBatchUpserts)
}

// ceilingRows are the reduced rows of one batch, sorted by key.
type ceilingRows struct {
	status []domain.ServerReported
	stats  []ceilingStat
}

type ceilingStat struct {
	serverID string
	stat     domain.PeerStat
	at       time.Time
}

func benchCeiling(b *testing.B, write func(context.Context, *pgxpool.Pool, ceilingRows) error) {
	url := dbtest.PostgresURL(b)
	if err := postgres.MigrateURL(b.Context(), url, nil); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	pool, err := pgxpoolNew(b, url)
	if err != nil {
		b.Fatal(err)
	}
	gen := benchBatches(b)
	n := 0
	for b.Loop() {
		b.StopTimer()
		recs := gen()
		rows := reduceForCeiling(recs)
		b.StartTimer()
		if err := write(b.Context(), pool, rows); err != nil {
			b.Fatal(err)
		}
		n += len(recs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}

// reduceForCeiling keeps the last report of each server and the last
// statistics of each peer: the batches' times only grow.
func reduceForCeiling(recs []projections.Decoded) ceilingRows {
	status := map[string]domain.ServerReported{}
	stats := map[[2]string]ceilingStat{}
	for _, d := range recs {
		r := d.Event.Payload.(domain.ServerReported)
		status[r.ServerID] = r
		for _, ps := range r.PeerStats {
			stats[[2]string{r.ServerID, ps.PublicKey}] = ceilingStat{serverID: r.ServerID, stat: ps, at: r.ReportedAt}
		}
	}
	var out ceilingRows
	for _, r := range status {
		out.status = append(out.status, r)
	}
	slices.SortFunc(out.status, func(a, b domain.ServerReported) int { return strings.Compare(a.ServerID, b.ServerID) })
	for _, s := range stats {
		out.stats = append(out.stats, s)
	}
	slices.SortFunc(out.stats, func(a, b ceilingStat) int {
		if c := strings.Compare(a.serverID, b.serverID); c != 0 {
			return c
		}
		return strings.Compare(a.stat.PublicKey, b.stat.PublicKey)
	})
	return out
}

func handshake(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

const ceilingStatusUpsert = `INSERT INTO server_status AS st
	(server_id, ping_ms, ping_ok, peers, transfer_rx, transfer_tx, reported_at, applied_version,
	 public_key, listen_port, interface_at) %s
	ON CONFLICT (server_id) DO UPDATE SET ping_ms = EXCLUDED.ping_ms, ping_ok = EXCLUDED.ping_ok,
		peers = EXCLUDED.peers, transfer_rx = EXCLUDED.transfer_rx, transfer_tx = EXCLUDED.transfer_tx,
		reported_at = EXCLUDED.reported_at, applied_version = EXCLUDED.applied_version,
		public_key = EXCLUDED.public_key, listen_port = EXCLUDED.listen_port, interface_at = EXCLUDED.interface_at
	WHERE st.reported_at <= EXCLUDED.reported_at`

const ceilingStatsUpsert = `INSERT INTO peer_stats AS ps
	(server_id, public_key, endpoint, latest_handshake_at, transfer_rx, transfer_tx, reported_at) %s
	ON CONFLICT (server_id, public_key) DO UPDATE SET endpoint = EXCLUDED.endpoint,
		latest_handshake_at = EXCLUDED.latest_handshake_at, transfer_rx = EXCLUDED.transfer_rx,
		transfer_tx = EXCLUDED.transfer_tx, reported_at = EXCLUDED.reported_at
	WHERE ps.reported_at <= EXCLUDED.reported_at`

var (
	statusCols = []string{"server_id", "ping_ms", "ping_ok", "peers", "transfer_rx", "transfer_tx",
		"reported_at", "applied_version", "public_key", "listen_port", "interface_at"}
	statsCols = []string{"server_id", "public_key", "endpoint", "latest_handshake_at", "transfer_rx",
		"transfer_tx", "reported_at"}
)

func statusValues(r domain.ServerReported) []any {
	return []any{r.ServerID, r.PingMS, r.PingOK, int32(r.Peers), int64(r.TransferRx), int64(r.TransferTx),
		r.ReportedAt, r.AppliedVersion, r.Interface.PublicKey, int32(r.Interface.ListenPort), r.ReportedAt}
}

func statsValues(s ceilingStat) []any {
	return []any{s.serverID, s.stat.PublicKey, s.stat.Endpoint, handshake(s.stat.LatestHandshakeAt),
		int64(s.stat.TransferRx), int64(s.stat.TransferTx), s.at}
}

func writeCopyUpsert(ctx context.Context, pool *pgxpool.Pool, rows ceilingRows) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TEMP TABLE tmp_status (LIKE server_status) ON COMMIT DROP;
			CREATE TEMP TABLE tmp_stats (LIKE peer_stats) ON COMMIT DROP`)
		if err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"tmp_status"}, statusCols,
			pgx.CopyFromSlice(len(rows.status), func(i int) ([]any, error) { return statusValues(rows.status[i]), nil }))
		if err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"tmp_stats"}, statsCols,
			pgx.CopyFromSlice(len(rows.stats), func(i int) ([]any, error) { return statsValues(rows.stats[i]), nil }))
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(fmt.Sprintf(ceilingStatusUpsert, "SELECT "+strings.Join(statusCols, ", ")+" FROM tmp_status"))
		b.Queue(fmt.Sprintf(ceilingStatsUpsert, "SELECT "+strings.Join(statsCols, ", ")+" FROM tmp_stats"))
		return tx.SendBatch(ctx, b).Close()
	})
}

func writeBatchUpserts(ctx context.Context, pool *pgxpool.Pool, rows ceilingRows) error {
	statusSQL := fmt.Sprintf(ceilingStatusUpsert, "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
	statsSQL := fmt.Sprintf(ceilingStatsUpsert, "VALUES ($1, $2, $3, $4, $5, $6, $7)")
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, r := range rows.status {
			b.Queue(statusSQL, statusValues(r)...)
		}
		for _, s := range rows.stats {
			b.Queue(statsSQL, statsValues(s)...)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}
