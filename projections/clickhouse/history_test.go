package clickhouse

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/contract"
	"github.com/sentrazone/sentrazone/projections/dbtest"
)

// newTestHistoryStore returns a history store on a fresh, migrated
// throwaway database.
func newTestHistoryStore(t testing.TB) *HistoryStore {
	t.Helper()
	ctx := t.Context()
	conn, err := Open(ctx, dbtest.ClickHouseURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := Migrate(ctx, conn, nil); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	s := NewHistoryStore(conn, slog.New(slog.NewTextHandler(t.Output(), nil)))
	s.flushEvery = 0 // tests apply batch after batch; TestFlushesAreSpaced covers the spacing
	return s
}

func TestHistoryStoreContract(t *testing.T) {
	contract.RunHistoryStore(t, func(t *testing.T) projections.HistoryStore { return newTestHistoryStore(t) })
}

// testReports returns n reports of servers srv-00..srv-19 on partition 0
// from offset first on, one per server and second, each with two peers.
func testReports(tb testing.TB, first int64, n int) []projections.Decoded {
	tb.Helper()
	t0 := time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)
	out := make([]projections.Decoded, n)
	for i := range out {
		off := first + int64(i)
		id := fmt.Sprintf("srv-%02d", off%20)
		at := t0.Add(time.Duration(off/20) * time.Second)
		p := domain.ServerReported{
			ServerID: id, PingMS: float64(off % 7), PingOK: off%5 != 0,
			TransferRx: uint64(off), TransferTx: uint64(2 * off), ReportedAt: at,
			PeerStats: []domain.PeerStat{
				{PublicKey: "peer-one", LatestHandshakeAt: at, TransferRx: 1, TransferTx: 2},
				{PublicKey: "peer-two", TransferRx: 3, TransferTx: 4}, // never shook hands
			},
		}
		ev, err := domain.NewEvent(p, id, 0, domain.AgentActor(id), "", at)
		if err != nil {
			tb.Fatalf("new event: %v", err)
		}
		out[i] = projections.Decoded{Partition: 0, Offset: off, Event: ev}
	}
	return out
}
