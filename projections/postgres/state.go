package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sentrazone/sentrazone/projections"
)

// StateProjection is the projection name of the state store's rows in
// projection_offsets.
const StateProjection = "state"

// exportPage is how many audit rows ExportAudit and AuditChain read at once.
const exportPage = 5000

// StateStore is the Postgres projections.StateStore, on the schema of
// migrations/0001_init.sql (run Migrate first).
//
// Every ApplyEvents and ApplyReports batch is one transaction that locks
// the (projection, topic, partition) offset row, skips records below it,
// writes the rest and moves the offset: any number of replicas may apply
// the same records. Versioned events are checked and bumped in SQL against
// servers.version and users.version.
//
// Crypto-shredding happens in the same transaction as the peer's deletion
// (DELETE FROM data_keys): the Postgres store never calls a
// projections.KeyShredder, so its keys must live in data_keys (KeyStore).
type StateStore struct {
	pool     *pgxpool.Pool
	statuses statusCache
}

var (
	_ projections.StateStore    = (*StateStore)(nil)
	_ projections.Lingerer      = (*StateStore)(nil)
	_ projections.ReportsSpacer = (*StateStore)(nil)
)

// ReportsLinger asks the projector to gather reports for 100 ms after a
// small batch, not 20: every apply is a transaction and a commit, one
// per partition and batch. Against 20 ms, on 2 cores with 12 reports
// partitions, Postgres spent 35-45% less CPU per report, and statuses
// were as fresh or fresher at 5,000 reports/s (p99 366-484 against
// 500-684 ms) (docs/PERFORMANCE.md).
func (s *StateStore) ReportsLinger() time.Duration { return 100 * time.Millisecond }

// ReportsSpacing keeps a partition's report transactions about 500 ms
// apart (375 to 625, jittered so partitions do not line up) while large
// batches keep coming: each touches the status row of nearly every
// server of its partition, whatever the reports it carries.
// Under batches of 500 from 10,000 servers, back-to-back transactions
// (~4 a second per partition) took 0.47-0.57 of a core on 2 cores;
// spaced, 0.25-0.29, and the machine accepted 9-55% more reports (9
// pairs).
// The wait adds up to 625 ms to a status's delay under such a load, but
// statuses were fresher than with Postgres behind (p99 1.6 s against
// 2.0 s). Middling batches space the transactions about 250 ms apart:
// under single reports from 1,000 servers, each reporting many times in that
// time, Postgres's share fell from 0.14-0.20 to 0.04-0.09 of a core and
// the machine took 17% more (median of 18 pairs; p99 +1.6 ms).
// Small batches only linger (docs/PERFORMANCE.md).
func (s *StateStore) ReportsSpacing() time.Duration { return 500 * time.Millisecond }

// NewStateStore returns a state store on pool.
func NewStateStore(pool *pgxpool.Pool) *StateStore {
	return &StateStore{pool: pool}
}

// inTx runs fn in a transaction, committed when fn returns nil.
func (s *StateStore) inTx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	if err := pgx.BeginFunc(ctx, s.pool, fn); err != nil {
		return fmt.Errorf("postgres state: %s: %w", op, err)
	}
	return nil
}

// lockOffset creates the offset row of (topic, partition) if missing,
// locks it until the transaction ends and returns the next offset. The
// statements in first (SET LOCAL) run before, in the same round trip.
func lockOffset(ctx context.Context, tx pgx.Tx, topic string, partition int, first ...string) (int64, error) {
	b := &pgx.Batch{}
	for _, sql := range first {
		b.Queue(sql)
	}
	b.Queue(`INSERT INTO projection_offsets (projection, topic, partition, next_offset, updated_at)
		VALUES ($1, $2, $3, 0, now()) ON CONFLICT DO NOTHING`, StateProjection, topic, partition)
	var next int64
	b.Queue(`SELECT next_offset FROM projection_offsets
		WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`, StateProjection, topic, partition).
		QueryRow(func(r pgx.Row) error { return r.Scan(&next) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("lock offset of %s/%d: %w", topic, partition, err)
	}
	return next, nil
}

// saveOffsetSQL moves a locked offset row.
const saveOffsetSQL = `UPDATE projection_offsets SET next_offset = $4, updated_at = now()
	WHERE projection = $1 AND topic = $2 AND partition = $3`

// NextOffsets returns the next offset of every partition of topic the
// store has applied.
func (s *StateStore) NextOffsets(ctx context.Context, topic string) (map[int]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT partition, next_offset FROM projection_offsets
		WHERE projection = $1 AND topic = $2`, StateProjection, topic)
	if err != nil {
		return nil, fmt.Errorf("postgres state: next offsets of %s: %w", topic, err)
	}
	out := make(map[int]int64)
	var (
		part int
		next int64
	)
	_, err = pgx.ForEachRow(rows, []any{&part, &next}, func() error {
		out[part] = next
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres state: next offsets of %s: %w", topic, err)
	}
	return out, nil
}

// Reset empties every table of the state projection and its offsets. Data
// keys are not projection rows and stay.
func (s *StateStore) Reset(ctx context.Context) error {
	return s.inTx(ctx, "reset", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `TRUNCATE servers, peers, peer_stats, server_status, users, settings, audit_log`)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM projection_offsets WHERE projection = $1`, StateProjection)
		return err
	})
}

// errNoRow reports whether err says a query returned no row.
func errNoRow(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// queryOne runs a query that returns at most one row; false when none.
func queryOne[T any](ctx context.Context, pool *pgxpool.Pool, scan pgx.RowToFunc[T], sql string, args ...any) (T, bool, error) {
	var zero T
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return zero, false, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	switch {
	case errNoRow(err):
		return zero, false, nil
	case err != nil:
		return zero, false, err
	}
	return v, true, nil
}

// queryAll runs a query and collects its rows; never nil, so that "none"
// reads the same from every store.
func queryAll[T any](ctx context.Context, pool *pgxpool.Pool, scan pgx.RowToFunc[T], sql string, args ...any) ([]T, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}
