package clickhouse

import (
	"context"
	"fmt"
	"time"
)

// ClickHouse 18.16 needs the column list of a batch insert spelled out.
const (
	sqlInsertReports = "INSERT INTO reports (server_id, reported_at, ping_ms, ping_ok, peers," +
		" transfer_rx, transfer_tx, kafka_partition, kafka_offset)"
	sqlInsertPeerTraffic = "INSERT INTO peer_traffic (server_id, public_key, recorded_at," +
		" latest_handshake_at, transfer_rx, transfer_tx, kafka_partition, kafka_offset)"
	sqlInsertOffset = "INSERT INTO projection_offsets (projection, topic, partition, next_offset, updated_at)"
)

// insertReports writes rows to reports in one insert.
func (s *HistoryStore) insertReports(ctx context.Context, rows []reportRow) error {
	if len(rows) == 0 {
		return nil
	}
	return s.insert(ctx, "reports", sqlInsertReports, func(b batchAppender) error {
		for _, row := range rows {
			r := row.r
			if err := b.Append(r.ServerID, r.ReportedAt.UTC(), r.PingMS, boolUInt8(r.PingOK), uint32(max(r.Peers, 0)),
				r.TransferRx, r.TransferTx, row.partition, row.offset); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertPeerTraffic writes the peer stats of rows to peer_traffic in one
// insert, if there are any.
func (s *HistoryStore) insertPeerTraffic(ctx context.Context, rows []reportRow) error {
	n := 0
	for _, row := range rows {
		n += len(row.r.PeerStats)
	}
	if n == 0 {
		return nil
	}
	return s.insert(ctx, "peer_traffic", sqlInsertPeerTraffic, func(b batchAppender) error {
		for _, row := range rows {
			for _, ps := range row.r.PeerStats {
				handshake := ps.LatestHandshakeAt.UTC()
				if !fitsDateTime(handshake) {
					handshake = time.Unix(0, 0).UTC() // never, or not representable
				}
				if err := b.Append(row.r.ServerID, ps.PublicKey, row.r.ReportedAt.UTC(), handshake,
					ps.TransferRx, ps.TransferTx, row.partition, row.offset); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// batchAppender is the part of driver.Batch fill functions use.
type batchAppender interface {
	Append(v ...any) error
}

// insert runs one batch insert of query, filled by fill.
func (s *HistoryStore) insert(ctx context.Context, table, query string, fill func(batchAppender) error) error {
	b, err := s.conn.PrepareBatch(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer func() { _ = b.Close() }()
	if err := fill(b); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", b.Rows(), table, err)
	}
	return nil
}

func boolUInt8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
