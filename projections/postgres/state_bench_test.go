package postgres_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/dbtest"
	"github.com/sentrazone/sentrazone/projections/postgres"
)

// BenchmarkApplyReports measures the hot path: batches of 500 reports from
// 100 servers with 10 peers each.
func BenchmarkApplyReports(b *testing.B) {
	url := dbtest.PostgresURL(b)
	if err := postgres.MigrateURL(b.Context(), url, nil); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	pool, err := pgxpoolNew(b, url)
	if err != nil {
		b.Fatal(err)
	}
	store := postgres.NewStateStore(pool)
	batch := benchBatches(b)
	n := 0
	for b.Loop() {
		b.StopTimer()
		recs := batch()
		b.StartTimer()
		if err := store.ApplyReports(b.Context(), 0, recs); err != nil {
			b.Fatal(err)
		}
		n += len(recs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}

// benchBatches returns a generator of the benchmark's batches: 500
// reports from 100 servers with an interface and 10 peers each, times and
// offsets growing from batch to batch.
func benchBatches(b *testing.B) func() []projections.Decoded {
	t0 := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	const batchSize = 500
	var offset int64
	return func() []projections.Decoded {
		out := make([]projections.Decoded, batchSize)
		for i := range out {
			id := fmt.Sprintf("srv-%d", i%100)
			r := domain.ServerReported{ServerID: id, PingMS: 12, PingOK: true, Peers: 10,
				ReportedAt: t0.Add(time.Duration(offset) * time.Millisecond),
				Interface:  &domain.InterfaceInfo{PublicKey: benchKey(id), ListenPort: 51820}}
			for p := range 10 {
				r.PeerStats = append(r.PeerStats, domain.PeerStat{PublicKey: benchKey(fmt.Sprint(id, p)), TransferRx: uint64(offset)})
			}
			env, err := domain.NewEvent(r, id, 0, domain.AgentActor(id), "", r.ReportedAt)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = projections.Decoded{Offset: offset, Event: env}
			offset++
		}
		return out
	}
}

func benchKey(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return base64.StdEncoding.EncodeToString(sum[:])
}
