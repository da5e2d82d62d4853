package memstate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// flakyShredder fails until healed, then records the keys it deletes.
type flakyShredder struct {
	mu      sync.Mutex
	healed  bool
	deleted []string
}

func (f *flakyShredder) DeleteKey(_ context.Context, keyID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.healed {
		return errors.New("key store down")
	}
	f.deleted = append(f.deleted, keyID)
	return nil
}

// peerLog is a log registering "srv", creating peer "p" with data key
// "dk-p", deleting it, then changing a setting.
func peerLog(t *testing.T) []projections.Decoded {
	t.Helper()
	at := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	var agg domain.Server
	var log []projections.Decoded
	add := func(p domain.Payload, aggID string, seen int64) {
		env, err := domain.NewEvent(p, aggID, seen, "admin@example.com", "", at)
		if err != nil {
			t.Fatal(err)
		}
		if domain.AggregateKindOf(env.Type) == domain.AggregateServer {
			if err := agg.Apply(env); err != nil {
				t.Fatal(err)
			}
		}
		log = append(log, projections.Decoded{Offset: int64(len(log)), Event: env})
	}
	reg, err := domain.DecideRegisterServer(nil, domain.RegisterServer{ID: "srv", Endpoint: "vpn.example.com:51820"})
	if err != nil {
		t.Fatal(err)
	}
	add(reg, "srv", 0)
	created, err := agg.DecideCreatePeer(domain.CreatePeer{ClientID: "p", Name: "p",
		PublicKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", KeyID: "dk-p", PrivateKeySealed: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	add(created, "srv", agg.Version)
	add(domain.WGClientDeleted{ServerID: "srv", ClientID: "p"}, "srv", agg.Version)
	add(domain.SettingsChanged{Key: "k", Value: "v"}, "k", 0)
	return log
}

func TestShredFailureIsReturnedAndRetried(t *testing.T) {
	ctx := t.Context()
	sh := &flakyShredder{}
	s := memstate.New(sh)
	log := peerLog(t)
	if err := s.ApplyEvents(ctx, 0, log[:3]); err == nil {
		t.Fatal("apply succeeded although the key could not be shredded")
	}
	if p, err := s.Peers(ctx, "srv"); err != nil || len(p) != 0 {
		t.Fatalf("peers = %+v, %v; the deletion must stay applied", p, err)
	}
	sh.mu.Lock()
	sh.healed = true
	sh.mu.Unlock()
	if err := s.ApplyEvents(ctx, 0, log[3:]); err != nil {
		t.Fatalf("next batch: %v", err)
	}
	if len(sh.deleted) != 1 || sh.deleted[0] != "dk-p" {
		t.Fatalf("deleted keys = %q, want [dk-p]", sh.deleted)
	}
}

func TestReadersDuringWrites(t *testing.T) {
	ctx := t.Context()
	s := memstate.New(nil)
	log := peerLog(t)
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				_, _ = s.Servers(ctx)
				_, _ = s.Peers(ctx, "srv")
				_, _ = s.Server(ctx, "srv")
				_ = s.ExportAudit(ctx, projections.AuditFilter{}, func(projections.AuditRow) error { return nil })
			}
		})
	}
	for range 50 {
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		for _, rec := range log {
			if err := s.ApplyEvents(ctx, 0, []projections.Decoded{rec}); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	if n, err := projections.VerifyAuditChain(ctx, s); err != nil || n != 4 {
		t.Fatalf("verify = %d, %v", n, err)
	}
}

// Statuses keeps its answer between calls: reports that come after it
// show in the next one, and so do servers registered after it, with the
// reports they had before registering.
func TestStatusesFollowReportsAndRegistrations(t *testing.T) {
	ctx := t.Context()
	s := memstate.New(nil)
	at := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	var events []projections.Decoded
	register := func(id string) {
		reg, err := domain.DecideRegisterServer(nil, domain.RegisterServer{ID: id, Endpoint: "vpn.example.com:51820"})
		if err != nil {
			t.Fatal(err)
		}
		env, err := domain.NewEvent(reg, id, 0, "admin@example.com", "", at)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, projections.Decoded{Offset: int64(len(events)), Event: env})
		if err := s.ApplyEvents(ctx, 0, events[len(events)-1:]); err != nil {
			t.Fatal(err)
		}
	}
	var reports int64
	report := func(id string, ping float64) {
		env, err := domain.NewEvent(domain.ServerReported{ServerID: id, PingMS: ping, PingOK: true, ReportedAt: at.Add(time.Duration(reports) * time.Second)},
			id, 0, domain.AgentActor(id), "", at)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ApplyReports(ctx, 0, []projections.Decoded{{Offset: reports, Event: env}}); err != nil {
			t.Fatal(err)
		}
		reports++
	}
	want := func(pings ...float64) {
		t.Helper()
		got, err := s.Statuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var have []float64
		for _, st := range got {
			have = append(have, st.PingMS)
		}
		if len(have) != len(pings) {
			t.Fatalf("statuses %v, want pings %v", have, pings)
		}
		for i := range pings {
			if have[i] != pings[i] {
				t.Fatalf("statuses %v, want pings %v", have, pings)
			}
		}
	}
	register("b")
	report("b", 1)
	want(1)
	report("b", 2)
	report("a", 7) // not registered yet
	want(2)
	register("a")
	want(7, 2)
	report("a", 8)
	want(8, 2)
}
