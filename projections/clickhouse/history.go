package clickhouse

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// historyProjection names the history store's rows in projection_offsets.
const historyProjection = "history"

// Log field keys of the history store.
const (
	logKeyServerID    = "server_id"
	logKeyReportedAt  = "reported_at"
	logKeyPartition   = "partition"
	logKeyOffset      = "offset"
	logKeyTable       = "table"
	logKeyPartitionID = "partition_id"
	logKeyWidth       = "width"
	logKeyErr         = "err"
)

// ErrInvalidBatch is returned for a batch whose records do not belong to
// the partition it is applied to, or whose positions do not fit the
// columns (partition 0..65535, offset >= 0).
var ErrInvalidBatch = projections.ErrInvalidBatch

// HistoryStore is the ClickHouse projections.HistoryStore: reports in
// `reports`, per-peer counters in `peer_traffic`, its checkpoints in
// `projection_offsets`. The tables come from Migrate.
//
// reported_at is a DateTime, so times are kept to the whole second (the
// fraction is dropped); buckets and the From/To bounds are exact for whole
// seconds. A report whose time DateTime cannot hold (before 1970, after
// 2106) is skipped with a warning rather than stopping the projection.
type HistoryStore struct {
	conn driver.Conn
	log  *slog.Logger

	// known caches, per partition, the next offset this store last read
	// or wrote, so that a batch costs no offsets query. It can only lag
	// the table (another replica moved ahead): the rows it lets through
	// again have the sorting key of rows already there and count once.
	mu    sync.Mutex
	known map[int]int64
	// closed is the copy of rollup_progress (see rollup.go), under mu.
	closed closedTo

	flushes flushQueue
	// flushers counts running flush goroutines; stop ends closer runs
	// (see Close).
	flushers sync.WaitGroup
	stop     context.Context
	halt     context.CancelFunc
	// flushEvery spaces flushes (see history_flush.go).
	flushEvery time.Duration
	now        func() time.Time
}

var _ projections.HistoryStore = (*HistoryStore)(nil)

// NewHistoryStore returns a history store on conn, whose database has been
// migrated. A nil log discards.
func NewHistoryStore(conn driver.Conn, log *slog.Logger) *HistoryStore {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	stop, halt := context.WithCancel(context.Background())
	return &HistoryStore{conn: conn, log: log, known: map[int]int64{},
		closed: closedTo{by: map[uint32]uint64{}}, now: time.Now, stop: stop, halt: halt,
		flushes: flushQueue{full: make(chan struct{}, 1)}, flushEvery: defaultFlushEvery}
}

// Close stops a closer run under way (the next store on these tables
// resumes from rollup_progress) and waits for flushes to end, so that the
// connection can be closed after it. Flushes of applied batches finish:
// their callers wait for them.
func (s *HistoryStore) Close() {
	s.halt()
	s.flushers.Wait()
}

// ApplyReports inserts the server_reported events of batch, all from
// partition, that lie at or past the partition's stored next offset: one
// insert into reports, one into peer_traffic when there are peer stats,
// then the rollups of its late reports (see rollup.go), then the new next
// offset, together with the batches of other partitions applied at the
// same time (see history_flush.go). A crash between the inserts and the
// offset write makes the batch come again; its rows then repeat rows
// already there, with the same sorting key, and rollups and History read
// reports with FINAL, so they count once.
func (s *HistoryStore) ApplyReports(ctx context.Context, partition int, batch []projections.Decoded) error {
	if err := checkBatch(partition, batch); err != nil {
		return fmt.Errorf("clickhouse history: apply reports to partition %d: %w", partition, err)
	}
	start, err := s.nextOffset(ctx, partition)
	if err != nil {
		return fmt.Errorf("clickhouse history: apply reports to partition %d: %w", partition, err)
	}
	next := start
	reports := make([]reportRow, 0, len(batch))
	for _, d := range batch {
		if d.Offset < next {
			continue
		}
		next = d.Offset + 1
		if r, ok := projections.ReportOf(d.Event); ok {
			if !fitsDateTime(r.ReportedAt) {
				s.log.Warn("clickhouse history: report time out of DateTime range, skipped",
					logKeyServerID, r.ServerID, logKeyReportedAt, r.ReportedAt,
					logKeyPartition, partition, logKeyOffset, d.Offset)
				continue
			}
			reports = append(reports, reportRow{r: r, partition: uint16(partition), offset: uint64(d.Offset)})
		}
	}
	if next == start {
		return nil
	}
	job := &applyJob{partition: partition, rows: reports, next: next, done: make(chan struct{})}
	if err := s.write(ctx, job); err != nil {
		return fmt.Errorf("clickhouse history: apply reports to partition %d: %w", partition, err)
	}
	return nil
}

// nextOffset returns the partition's next offset, from the cache or else
// from projection_offsets.
func (s *HistoryStore) nextOffset(ctx context.Context, partition int) (int64, error) {
	s.mu.Lock()
	next, ok := s.known[partition]
	s.mu.Unlock()
	if ok {
		return next, nil
	}
	offsets, err := s.loadOffsets(ctx)
	if err != nil {
		return 0, err
	}
	s.remember(partition, offsets[partition])
	return offsets[partition], nil
}

func (s *HistoryStore) remember(partition int, next int64) {
	s.mu.Lock()
	s.known[partition] = next
	s.mu.Unlock()
}

func (s *HistoryStore) forget(partition int) {
	s.mu.Lock()
	delete(s.known, partition)
	s.mu.Unlock()
}

// reportRow is one report to insert with its log position.
type reportRow struct {
	r         domain.ServerReported
	partition uint16
	offset    uint64
}

// rowBatches is the rows of several batches, in order, each batch's
// slice as it was built.
type rowBatches [][]reportRow

// count is the number of rows in all the batches.
func (b rowBatches) count() int {
	n := 0
	for _, rows := range b {
		n += len(rows)
	}
	return n
}

// all yields every row of the batches, in order.
func (b rowBatches) all() iter.Seq[*reportRow] {
	return func(yield func(*reportRow) bool) {
		for _, rows := range b {
			for i := range rows {
				if !yield(&rows[i]) {
					return
				}
			}
		}
	}
}

// checkBatch validates batch before anything is written; partitions must
// fit the UInt16 column.
func checkBatch(partition int, batch []projections.Decoded) error {
	if partition < 0 || partition > math.MaxUint16 {
		return fmt.Errorf("partition %d out of range: %w", partition, ErrInvalidBatch)
	}
	return projections.CheckBatch(partition, batch)
}

// fitsDateTime reports whether t fits a DateTime: whole seconds since the
// epoch in a UInt32.
func fitsDateTime(t time.Time) bool {
	sec := t.Unix()
	return sec >= 0 && sec <= math.MaxUint32
}
