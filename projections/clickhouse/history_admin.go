package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
)

// NextOffsets returns the next offset of every reports partition the store
// has applied; other topics have none. The newest row of a partition wins
// (on equal seconds, the higher offset), before or after merges.
func (s *HistoryStore) NextOffsets(ctx context.Context, topic string) (map[int]int64, error) {
	if topic != eventstore.TopicReports {
		return map[int]int64{}, nil
	}
	out, err := s.loadOffsets(ctx)
	if err != nil {
		return nil, fmt.Errorf("clickhouse history: next offsets: %w", err)
	}
	return out, nil
}

// loadOffsets reads the next offsets of the reports partitions.
func (s *HistoryStore) loadOffsets(ctx context.Context) (map[int]int64, error) {
	rows, err := s.conn.Query(ctx, `SELECT partition, argMax(next_offset, (updated_at, next_offset))
		FROM projection_offsets WHERE projection = ? AND topic = ? GROUP BY partition`,
		historyProjection, eventstore.TopicReports)
	if err != nil {
		return nil, fmt.Errorf("query projection_offsets: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := map[int]int64{}
	for rows.Next() {
		var (
			partition uint16
			next      uint64
		)
		if err := rows.Scan(&partition, &next); err != nil {
			return nil, fmt.Errorf("scan projection_offsets: %w", err)
		}
		out[int(partition)] = int64(next)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read projection_offsets: %w", err)
	}
	return out, nil
}

// historyTables are the tables of history rows; all are partitioned by
// toDate of their time column.
var historyTables = []string{"reports", "peer_traffic", "report_rollups"}

// Prune drops every daily partition of reports, peer_traffic and
// report_rollups that ends before the given time (in the server's time
// zone), so up to a day of data older than before may remain. ClickHouse 18.16 has no TTL; dropping
// a partition is cheap and immediate. Offsets are kept.
func (s *HistoryStore) Prune(ctx context.Context, before time.Time) error {
	cut := dateTimeBound(before)
	if cut == 0 {
		return nil
	}
	for _, table := range historyTables {
		ids, err := s.oldPartitions(ctx, table, cut)
		if err != nil {
			return fmt.Errorf("clickhouse history: prune %s: %w", table, err)
		}
		for _, id := range ids {
			if err := s.conn.Exec(ctx, "ALTER TABLE "+table+" DROP PARTITION ID ?", id); err != nil {
				return fmt.Errorf("clickhouse history: prune %s: drop partition %s: %w", table, id, err)
			}
			s.log.Info("clickhouse history: dropped old partition", logKeyTable, table, logKeyPartitionID, id)
		}
	}
	return nil
}

// oldPartitions lists the ids (YYYYMMDD) of table's daily partitions whose
// day is before the day of the DateTime cut. Only 8-digit ids are daily
// partitions of a toDate key.
func (s *HistoryStore) oldPartitions(ctx context.Context, table string, cut uint64) ([]string, error) {
	rows, err := s.conn.Query(ctx, `SELECT DISTINCT partition_id FROM system.parts
		WHERE database = currentDatabase() AND table = ? AND active
			AND length(partition_id) = 8 AND partition_id < toString(toYYYYMMDD(toDateTime(?)))
		ORDER BY partition_id`, table, min(cut, maxDateTime))
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list partitions: scan: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	return ids, nil
}

// Reset empties reports, peer_traffic, the rollups and their progress and
// deletes this projection's offsets, waiting for that mutation to finish
// so the next NextOffsets sees none.
func (s *HistoryStore) Reset(ctx context.Context) error {
	s.mu.Lock()
	clear(s.known)
	s.closed = closedTo{by: map[uint32]uint64{}}
	s.mu.Unlock()
	for _, table := range slices.Concat(historyTables, []string{"rollup_progress"}) {
		if err := s.conn.Exec(ctx, "TRUNCATE TABLE "+table); err != nil {
			return fmt.Errorf("clickhouse history: reset: truncate %s: %w", table, err)
		}
	}
	if err := s.conn.Exec(ctx, "ALTER TABLE projection_offsets DELETE WHERE projection = ?", historyProjection); err != nil {
		return fmt.Errorf("clickhouse history: reset: delete offsets: %w", err)
	}
	if err := s.awaitMutations(ctx, "projection_offsets"); err != nil {
		return fmt.Errorf("clickhouse history: reset: %w", err)
	}
	return nil
}
