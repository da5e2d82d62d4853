package memstate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// BenchmarkApplyReports measures the status projection in memory:
// batches of 500 reports from 10,000 registered servers.
func BenchmarkApplyReports(b *testing.B) {
	s := memstate.New(nil)
	ctx := b.Context()
	t0 := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	const servers, batchSize = 10000, 500
	var reg []projections.Decoded
	for i := range servers {
		id := fmt.Sprintf("srv-%05d", i)
		p, err := domain.DecideRegisterServer(nil, domain.RegisterServer{ID: id, Endpoint: "vpn.example.com:51820"})
		if err != nil {
			b.Fatal(err)
		}
		env, err := domain.NewEvent(p, id, 0, "admin@example.com", "", t0)
		if err != nil {
			b.Fatal(err)
		}
		reg = append(reg, projections.Decoded{Offset: int64(i), Event: env})
	}
	if err := s.ApplyEvents(ctx, 0, reg); err != nil {
		b.Fatal(err)
	}
	var offset int64
	n := 0
	for b.Loop() {
		b.StopTimer()
		batch := make([]projections.Decoded, batchSize)
		for i := range batch {
			id := fmt.Sprintf("srv-%05d", offset%servers)
			r := domain.ServerReported{ServerID: id, PingMS: 12, PingOK: true, Peers: 3, TransferRx: uint64(offset),
				ReportedAt: t0.Add(time.Duration(offset) * time.Millisecond)}
			env, err := domain.NewEvent(r, id, 0, domain.AgentActor(id), "", r.ReportedAt)
			if err != nil {
				b.Fatal(err)
			}
			batch[i] = projections.Decoded{Offset: offset, Event: env}
			offset++
		}
		b.StartTimer()
		if err := s.ApplyReports(ctx, 0, batch); err != nil {
			b.Fatal(err)
		}
		n += batchSize
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}
