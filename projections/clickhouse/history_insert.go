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
func (s *HistoryStore) insertReports(ctx context.Context, rows rowBatches) error {
	n := rows.count()
	if n == 0 {
		return nil
	}
	var (
		servers    = make([]string, n)
		at         = make([]time.Time, n)
		ping       = make([]float64, n)
		pingOK     = make([]uint8, n)
		peers      = make([]uint32, n)
		rx, tx     = make([]uint64, n), make([]uint64, n)
		partitions = make([]uint16, n)
		offsets    = make([]uint64, n)
	)
	i := 0
	for row := range rows.all() {
		r := &row.r
		servers[i], at[i], ping[i], pingOK[i] = r.ServerID, r.ReportedAt.UTC(), r.PingMS, boolUInt8(r.PingOK)
		peers[i], rx[i], tx[i] = uint32(max(r.Peers, 0)), r.TransferRx, r.TransferTx
		partitions[i], offsets[i] = row.partition, row.offset
		i++
	}
	return s.insertColumns(ctx, "reports", sqlInsertReports, servers, at, ping, pingOK, peers, rx, tx, partitions, offsets)
}

// insertPeerTraffic writes the peer stats of rows to peer_traffic in one
// insert, if there are any.
func (s *HistoryStore) insertPeerTraffic(ctx context.Context, rows rowBatches) error {
	n := 0
	for row := range rows.all() {
		n += len(row.r.PeerStats)
	}
	if n == 0 {
		return nil
	}
	var (
		servers    = make([]string, 0, n)
		keys       = make([]string, 0, n)
		at         = make([]time.Time, 0, n)
		handshakes = make([]time.Time, 0, n)
		rx, tx     = make([]uint64, 0, n), make([]uint64, 0, n)
		partitions = make([]uint16, 0, n)
		offsets    = make([]uint64, 0, n)
	)
	for row := range rows.all() {
		reported := row.r.ReportedAt.UTC()
		for _, ps := range row.r.PeerStats {
			handshake := ps.LatestHandshakeAt.UTC()
			if !fitsDateTime(handshake) {
				handshake = time.Unix(0, 0).UTC() // never, or not representable
			}
			servers, keys = append(servers, row.r.ServerID), append(keys, ps.PublicKey)
			at, handshakes = append(at, reported), append(handshakes, handshake)
			rx, tx = append(rx, ps.TransferRx), append(tx, ps.TransferTx)
			partitions, offsets = append(partitions, row.partition), append(offsets, row.offset)
		}
	}
	return s.insertColumns(ctx, "peer_traffic", sqlInsertPeerTraffic, servers, keys, at, handshakes, rx, tx, partitions, offsets)
}

// insertColumns runs one batch insert of query from whole columns, one
// slice per column of the query's list, in its order: every insert of the
// store goes this way. Row by row (driver.Batch's Append(v ...any)) every
// value of every row was boxed on its way in, 6% of the bytes serve
// allocated at 190,000 reports/s (docs/PERFORMANCE.md).
func (s *HistoryStore) insertColumns(ctx context.Context, table, query string, cols ...any) error {
	b, err := s.conn.PrepareBatch(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer func() { _ = b.Close() }()
	for i, c := range cols {
		if err := b.Column(i).Append(c); err != nil {
			return fmt.Errorf("append column %d to %s: %w", i, table, err)
		}
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
