package memhistory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memhistory"
)

// reports returns n in-order reports of 20 servers on partition 0 from
// offset first on, one per server and second.
func reports(tb testing.TB, first int64, n int) []projections.Decoded {
	tb.Helper()
	t0 := time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)
	out := make([]projections.Decoded, n)
	for i := range out {
		off := first + int64(i)
		id := fmt.Sprintf("srv-%02d", off%20)
		at := t0.Add(time.Duration(off/20) * time.Second)
		p := domain.ServerReported{ServerID: id, PingMS: 12.5, PingOK: true, TransferRx: uint64(off), TransferTx: uint64(off), ReportedAt: at}
		ev, err := domain.NewEvent(p, id, 0, domain.AgentActor(id), "", at)
		if err != nil {
			tb.Fatalf("new event: %v", err)
		}
		out[i] = projections.Decoded{Partition: 0, Offset: off, Event: ev}
	}
	return out
}

// BenchmarkApplyReports1000 applies batches of 1000 new reports.
func BenchmarkApplyReports1000(b *testing.B) {
	const n = 1000
	batches := make([][]projections.Decoded, 64)
	for i := range batches {
		batches[i] = reports(b, int64(i*n), n)
	}
	ctx := context.Background()
	s := memhistory.New()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%len(batches) == 0 {
			b.StopTimer()
			s = memhistory.New()
			b.StartTimer()
		}
		if err := s.ApplyReports(ctx, 0, batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentUse runs writers and readers at once (meant for -race).
func TestConcurrentUse(t *testing.T) {
	s := memhistory.New()
	ctx := t.Context()
	q := projections.HistoryQuery{From: time.Unix(0, 0), To: time.Now().Add(365 * 24 * time.Hour), Step: time.Minute}
	var wg sync.WaitGroup
	for p := range 4 {
		batch := reports(t, 0, 200)
		for i := range batch {
			batch[i].Partition = p
		}
		wg.Go(func() {
			if err := s.ApplyReports(ctx, p, batch); err != nil {
				t.Errorf("apply: %v", err)
			}
		})
		wg.Go(func() {
			if _, err := s.History(ctx, q); err != nil {
				t.Errorf("history: %v", err)
			}
			if _, err := s.NextOffsets(ctx, "sentrazone.reports"); err != nil {
				t.Errorf("next offsets: %v", err)
			}
		})
	}
	wg.Wait()
	if err := s.Prune(ctx, time.Now()); err != nil {
		t.Fatalf("prune: %v", err)
	}
}

// TestApplyRejectsForeignPartition: a record of another partition fails
// the whole batch and changes nothing.
func TestApplyRejectsForeignPartition(t *testing.T) {
	s := memhistory.New()
	batch := reports(t, 0, 3)
	batch[2].Partition = 1
	if err := s.ApplyReports(t.Context(), 0, batch); err == nil {
		t.Fatal("ApplyReports accepted a record of partition 1 into partition 0")
	}
	if off, _ := s.NextOffsets(t.Context(), "sentrazone.reports"); len(off) != 0 {
		t.Errorf("offsets after rejected batch = %v, want none", off)
	}
}

// With KeepFor, reports older than the window are left out as they are
// applied (a boot replaying a week of log keeps three days), and their
// offsets still count as applied.
func TestKeepForLeavesOutOldReports(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	batch := make([]projections.Decoded, 0, 3)
	for i, age := range []time.Duration{3 * time.Hour, 61 * time.Minute, 10 * time.Minute} {
		at := now.Add(-age)
		p := domain.ServerReported{ServerID: "srv", PingMS: float64(i + 1), PingOK: true, ReportedAt: at}
		ev, err := domain.NewEvent(p, "srv", 0, domain.AgentActor("srv"), "", at)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, projections.Decoded{Partition: 0, Offset: int64(i), Event: ev})
	}
	ctx := t.Context()
	q := projections.HistoryQuery{ServerIDs: []string{"srv"}, From: now.Add(-4 * time.Hour), To: now, Step: time.Minute}
	for _, c := range []struct {
		name string
		s    *memhistory.Store
		want []float64
	}{
		{"KeepFor(1h)", memhistory.New(memhistory.KeepFor(time.Hour)), []float64{3}},
		{"no option", memhistory.New(), []float64{1, 2, 3}},
	} {
		if err := c.s.ApplyReports(ctx, 0, batch); err != nil {
			t.Fatal(err)
		}
		pts, err := c.s.History(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		for _, p := range pts {
			if p.PingMS != nil {
				got = append(got, *p.PingMS)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: pings %v, want %v", c.name, got, c.want)
		}
		next, err := c.s.NextOffsets(ctx, eventstore.TopicReports)
		if err != nil || next[0] != 3 {
			t.Errorf("%s: next offsets %v (%v), want partition 0 at 3", c.name, next, err)
		}
	}
}
