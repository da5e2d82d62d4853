package contract

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// RunHistoryStore runs the projections.HistoryStore contract against the
// stores newStore returns; every subtest gets a fresh, empty store.
//
// Report times are whole seconds throughout: the ClickHouse store keeps
// reported_at to the second (DateTime), the memory store to the
// nanosecond, and they answer alike only on whole seconds.
func RunHistoryStore(t *testing.T, newStore func(t *testing.T) projections.HistoryStore) {
	t.Helper()
	tests := []struct {
		name string
		run  func(h *histHarness)
	}{
		{"BucketAverages", histBucketAverages},
		{"LastCounterPerBucket", histLastCounter},
		{"BucketAlignment", histBucketAlignment},
		{"FromInclusiveToExclusive", histFromTo},
		{"InvalidStep", histInvalidStep},
		{"ServerFilter", histServerFilter},
		{"SortOrder", histSortOrder},
		{"OutOfOrderReports", histOutOfOrder},
		{"IdempotentRedelivery", histRedelivery},
		{"NextOffsets", histNextOffsets},
		{"Prune", histPrune},
		{"Reset", histReset},
		{"Large72h", histLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(&histHarness{t: t, ctx: t.Context(), store: newStore(t)})
		})
	}
}

// histT0 is the reference time of the history scenarios: a midnight UTC,
// so it is a multiple of every step that divides a day.
var histT0 = time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)

// histReport is one report of a scenario; at is relative to histT0.
type histReport struct {
	server string
	at     time.Duration
	ping   float64
	ok     bool
	rx, tx uint64
}

// histHarness applies reports to one store and queries it.
type histHarness struct {
	t     *testing.T
	ctx   context.Context
	store projections.HistoryStore
}

// decoded wraps reports in records of partition at offsets from first on.
func (h *histHarness) decoded(partition int, first int64, reports ...histReport) []projections.Decoded {
	h.t.Helper()
	out := make([]projections.Decoded, 0, len(reports))
	for i, r := range reports {
		at := histT0.Add(r.at)
		p := domain.ServerReported{
			ServerID: r.server, PingMS: r.ping, PingOK: r.ok,
			TransferRx: r.rx, TransferTx: r.tx, ReportedAt: at,
		}
		ev, err := domain.NewEvent(p, r.server, 0, domain.AgentActor(r.server), "", at)
		if err != nil {
			h.t.Fatalf("new report event: %v", err)
		}
		out = append(out, projections.Decoded{Partition: partition, Offset: first + int64(i), Event: ev})
	}
	return out
}

// apply applies reports as one batch of partition starting at offset first.
func (h *histHarness) apply(partition int, first int64, reports ...histReport) {
	h.t.Helper()
	h.applyBatch(partition, h.decoded(partition, first, reports...))
}

func (h *histHarness) applyBatch(partition int, batch []projections.Decoded) {
	h.t.Helper()
	if err := h.store.ApplyReports(h.ctx, partition, batch); err != nil {
		h.t.Fatalf("ApplyReports(partition %d, %d records): %v", partition, len(batch), err)
	}
}

// history queries [histT0+from, histT0+to) at step for servers.
func (h *histHarness) history(from, to, step time.Duration, servers ...string) []projections.HistoryPoint {
	h.t.Helper()
	q := projections.HistoryQuery{ServerIDs: servers, From: histT0.Add(from), To: histT0.Add(to), Step: step}
	got, err := h.store.History(h.ctx, q)
	if err != nil {
		h.t.Fatalf("History(%+v): %v", q, err)
	}
	for _, p := range got {
		if p.RecordedAt.Location() != time.UTC {
			h.t.Errorf("point %s: RecordedAt location %v, want UTC", histFormat(p), p.RecordedAt.Location())
		}
	}
	return got
}

// expect queries like history and compares the points in histFormat form.
func (h *histHarness) expect(from, to, step time.Duration, servers []string, want ...string) {
	h.t.Helper()
	got := histStrings(h.history(from, to, step, servers...))
	if !slices.Equal(got, want) {
		h.t.Errorf("History(%v..%v step %v, servers %q):\ngot:\n  %s\nwant:\n  %s",
			from, to, step, servers, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// histFormat renders a point as "<server> <start-histT0> ping=<ms|nil> rx=<n> tx=<n>".
func histFormat(p projections.HistoryPoint) string {
	ping := "nil"
	if p.PingMS != nil {
		ping = strconv.FormatFloat(*p.PingMS, 'f', 3, 64)
	}
	return fmt.Sprintf("%s %v ping=%s rx=%d tx=%d", p.ServerID, p.RecordedAt.Sub(histT0), ping, p.TransferRx, p.TransferTx)
}

func histStrings(points []projections.HistoryPoint) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = histFormat(p)
	}
	return out
}
