package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ApplyReports applies a batch of the reports topic in one transaction:
// the offset lock, then one statement each for statuses, interfaces and
// peer statistics, sent together. The newest report wins by ReportedAt
// (a later record wins a tie) for each server's status, each server's
// interface and each (server, public key)'s statistics, as in memstate;
// the batch is reduced to those winners first, so every statement touches
// a row at most once.
func (s *StateStore) ApplyReports(ctx context.Context, partition int, batch []projections.Decoded) error {
	return s.inTx(ctx, "apply reports", func(tx pgx.Tx) error {
		next, err := lockOffset(ctx, tx, eventstore.TopicReports, partition, relaxedCommitSQL)
		if err != nil {
			return err
		}
		fresh, next := unapplied(batch, next)
		if len(fresh) == 0 {
			return nil
		}
		var red reduced
		for _, rec := range fresh {
			if r, ok := rec.Event.Payload.(domain.ServerReported); ok {
				red.add(r)
			}
		}
		b := &pgx.Batch{}
		red.queue(b)
		b.Queue(saveOffsetSQL, StateProjection, eventstore.TopicReports, partition, next)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("write %d reports: %w", len(batch), err)
		}
		return nil
	})
}

// relaxedCommitSQL lets a reports transaction commit without waiting
// for its WAL to reach the disk. What it writes is derived from the log
// (statuses, peer stats) and moves the offset in the same transaction,
// so a Postgres crash that loses the last commits (up to three times
// wal_writer_delay, 600 ms by default) loses their offset with them, and
// the projector applies those reports again from the log. The setting
// ends with the transaction; events (users, peers, the deletion of data
// keys) and the key store keep synchronous commits. Each synchronous
// commit waited for a WAL fsync, 120 and more a second with 12 reports
// partitions; without them Postgres spent ~1 µs less CPU per report
// (docs/PERFORMANCE.md).
const relaxedCommitSQL = `SET LOCAL synchronous_commit = off`

const upsertStatusSQL = `INSERT INTO server_status AS st
	(server_id, ping_ms, ping_ok, peers, transfer_rx, transfer_tx, reported_at, applied_version)
	SELECT * FROM unnest($1::text[], $2::float8[], $3::bool[], $4::int[], $5::int8[], $6::int8[],
		$7::timestamptz[], $8::int8[])
	ON CONFLICT (server_id) DO UPDATE SET ping_ms = EXCLUDED.ping_ms, ping_ok = EXCLUDED.ping_ok,
		peers = EXCLUDED.peers, transfer_rx = EXCLUDED.transfer_rx, transfer_tx = EXCLUDED.transfer_tx,
		reported_at = EXCLUDED.reported_at, applied_version = EXCLUDED.applied_version
	WHERE st.reported_at <= EXCLUDED.reported_at`

// updateInterfaceSQL runs after upsertStatusSQL, which created the row of
// every server reporting an interface.
const updateInterfaceSQL = `UPDATE server_status AS st
	SET public_key = u.public_key, listen_port = u.listen_port, interface_at = u.at
	FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[]) AS u(server_id, public_key, listen_port, at)
	WHERE st.server_id = u.server_id AND (st.interface_at IS NULL OR st.interface_at <= u.at)`

const upsertPeerStatsSQL = `INSERT INTO peer_stats AS ps
	(server_id, public_key, endpoint, latest_handshake_at, transfer_rx, transfer_tx, reported_at)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int8[], $6::int8[],
		$7::timestamptz[])
	ON CONFLICT (server_id, public_key) DO UPDATE SET endpoint = EXCLUDED.endpoint,
		latest_handshake_at = EXCLUDED.latest_handshake_at, transfer_rx = EXCLUDED.transfer_rx,
		transfer_tx = EXCLUDED.transfer_tx, reported_at = EXCLUDED.reported_at
	WHERE ps.reported_at <= EXCLUDED.reported_at`
