package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func TestAuthorizeAgentTokens(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	_, token, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "paris", Endpoint: "paris.example.com:51820"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.RegisterServer(ctx, admin, NewServer{ID: "rome", Endpoint: "rome.example.com:51820"}); err != nil {
		t.Fatal(err)
	}
	paris := []domain.ServerReported{{ServerID: "paris"}}
	rome := []domain.ServerReported{{ServerID: "rome"}}
	agent, err := h.reports.Authenticate(ctx, token)
	if err != nil || agent != (Agent{Server: "paris"}) {
		t.Fatalf("own token: %+v, %v", agent, err)
	}
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", paris); err != nil {
		t.Fatalf("own server: %v", err)
	}
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", rome); !errors.Is(err, ErrForbidden) {
		t.Fatalf("token of paris for rome: %v, want ErrForbidden", err)
	}
	mixed := append(paris, rome...)
	if err := h.reports.Authorize(ctx, agent, "198.51.100.7", mixed); !errors.Is(err, ErrForbidden) {
		t.Fatalf("batch naming another server: %v, want ErrForbidden", err)
	}
	// The zero Agent (no token authenticated) may report for no server.
	if err := h.reports.Authorize(ctx, Agent{}, "198.51.100.7", paris); !errors.Is(err, ErrForbidden) {
		t.Fatalf("zero agent: %v, want ErrForbidden", err)
	}
	for _, bad := range []string{"", "random", token + "x", "szagent.paris.AAAA", "szagent.nowhere.AAAA", "szagent..x", "szagent.\xff.x"} {
		if a, err := h.reports.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthenticated) || a != (Agent{}) {
			t.Errorf("token %q: %+v, %v, want ErrUnauthenticated", bad, a, err)
		}
	}
	if a, err := h.reports.Authenticate(ctx, testFleetToken); err != nil || !a.Fleet {
		t.Errorf("fleet token: %+v, %v", a, err)
	}
}

func TestFleetTokenRegistersUnknownServers(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	reps := []domain.ServerReported{
		{ServerID: "oslo", Interface: &domain.InterfaceInfo{ListenPort: 51999}},
		{ServerID: "oslo"},
		{ServerID: "bergen"},
	}
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.9", reps); err != nil {
		t.Fatal(err)
	}
	for id, endpoint := range map[string]string{"oslo": "198.51.100.9:51999", "bergen": "198.51.100.9:51820"} {
		v, ok, err := h.state.ServerView(ctx, id)
		if err != nil || !ok {
			t.Fatalf("%s not registered: %v", id, err)
		}
		if v.Endpoint != endpoint {
			t.Errorf("%s endpoint %q, want %q", id, v.Endpoint, endpoint)
		}
	}
	// Again: nothing new is registered, and no error.
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.10", reps); err != nil {
		t.Fatal(err)
	}
	rows, err := h.state.Audit(ctx, projectionsFilter("server_registered"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d server_registered rows, want 2", len(rows))
	}
	if err := h.reports.Submit(ctx, reps); err != nil {
		t.Fatal(err)
	}
}

// countingWaiter counts the waits for a projection.
type countingWaiter struct {
	Waiter
	n atomic.Int64
}

func (w *countingWaiter) WaitApplied(ctx context.Context, topic string, partition int, offset int64) error {
	w.n.Add(1)
	return w.Waiter.WaitApplied(ctx, topic, partition, offset)
}

// serverReads counts the reads of servers from the read model: one by one
// (Server, ServerView) and by the batch (RegisteredServers).
type serverReads struct {
	projections.StateReader
	single, batch atomic.Int64
}

func (r *serverReads) Server(ctx context.Context, id string) (*domain.Server, error) {
	r.single.Add(1)
	return r.StateReader.Server(ctx, id)
}

func (r *serverReads) ServerView(ctx context.Context, id string) (projections.ServerView, bool, error) {
	r.single.Add(1)
	return r.StateReader.ServerView(ctx, id)
}

func (r *serverReads) RegisteredServers(ctx context.Context, ids []string) ([]string, error) {
	r.batch.Add(1)
	return r.StateReader.RegisteredServers(ctx, ids)
}

// fleetHarness is a harness whose waits and server reads are counted.
func fleetHarness(t *testing.T) (*harness, *countingWaiter, *serverReads) {
	waits, reads := &countingWaiter{}, &serverReads{}
	h := newHarnessWith(t, harnessOptions{
		waiter: func(p Waiter) Waiter { waits.Waiter = p; return waits },
		state: func(s projections.StateReader) projections.StateReader {
			reads.StateReader = s
			return reads
		},
	})
	return h, waits, reads
}

// fleetReports names n servers prefix-000, prefix-001, ...
func fleetReports(prefix string, n int) []domain.ServerReported {
	reps := make([]domain.ServerReported, n)
	for i := range reps {
		reps[i] = domain.ServerReported{ServerID: fmt.Sprintf("%s-%04d", prefix, i)}
	}
	return reps
}

// wantRegistered checks that every server of reps is registered, by an
// agent actor from ip, with one audit row each and no more.
func (h *harness) wantRegistered(t *testing.T, reps []domain.ServerReported, ip string) {
	t.Helper()
	ctx := testCtx(t)
	for _, r := range reps {
		if _, ok, err := h.state.ServerView(ctx, r.ServerID); err != nil || !ok {
			t.Fatalf("%s not registered: %v", r.ServerID, err)
		}
	}
	rows, err := h.state.Audit(ctx, projectionsFilter("server_registered"), len(reps)+10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(reps) {
		t.Fatalf("%d server_registered rows, want %d", len(rows), len(reps))
	}
	for _, r := range rows {
		if r.Actor != domain.AgentActor(r.Target) || r.IP != ip {
			t.Fatalf("row %+v: want actor %q from %s", r, domain.AgentActor(r.Target), ip)
		}
	}
}

// A batch naming many new servers registers them in one write and one
// wait for their projection, after one read of the read model; up to
// registerChunk in each write.
func TestFleetTokenRegistersABatchInOneWrite(t *testing.T) {
	h, waits, reads := fleetHarness(t)
	ctx := testCtx(t)
	reps := fleetReports("batch", 40)
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.11", reps); err != nil {
		t.Fatal(err)
	}
	if w, b, s := waits.n.Load(), reads.batch.Load(), reads.single.Load(); w != 1 || b != 1 || s != 0 {
		t.Fatalf("%d waits, %d batch reads, %d single reads; want 1, 1, 0", w, b, s)
	}
	h.wantRegistered(t, reps, "198.51.100.11")

	more := fleetReports("chunked", 2*registerChunk+7)
	waits.n.Store(0)
	reads.batch.Store(0)
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.11", more); err != nil {
		t.Fatal(err)
	}
	if w, b := waits.n.Load(), reads.batch.Load(); w != 3 || b != 3 {
		t.Fatalf("%d waits, %d batch reads for %d new servers; want 3 and 3 (chunks of %d)", w, b, len(more), registerChunk)
	}
	h.wantRegistered(t, append(reps, more...), "198.51.100.11")
}

// Servers known to the read model but not yet to this Reports (as after a
// restart) cost one read for the batch and are not registered again;
// servers it knows cost nothing.
func TestFleetTokenReadsAKnownBatchOnce(t *testing.T) {
	h, waits, reads := fleetHarness(t)
	ctx := testCtx(t)
	reps := fleetReports("once", 20)
	authorize := func(r *Reports, wantBatchReads, wantWaits int64) {
		t.Helper()
		reads.batch.Store(0)
		reads.single.Store(0)
		waits.n.Store(0)
		if err := r.Authorize(ctx, Agent{Fleet: true}, "198.51.100.12", reps); err != nil {
			t.Fatal(err)
		}
		if b, s, w := reads.batch.Load(), reads.single.Load(), waits.n.Load(); b != wantBatchReads || s != 0 || w != wantWaits {
			t.Fatalf("%d batch reads, %d single reads, %d waits; want %d, 0, %d", b, s, w, wantBatchReads, wantWaits)
		}
	}
	authorize(h.reports, 1, 1)
	authorize(h.reports, 0, 0)
	restarted, err := NewReports(ReportsConfig{Log: h.log, State: reads, Commands: h.svc, FleetToken: testFleetToken})
	if err != nil {
		t.Fatal(err)
	}
	authorize(restarted, 1, 0)
	h.wantRegistered(t, reps, "198.51.100.12")
}

// barrierReads holds every RegisteredServers call until two are inside at
// once, or until hold has passed.
type barrierReads struct {
	projections.StateReader
	hold   time.Duration
	mu     sync.Mutex
	inside int
	both   chan struct{}
}

func (r *barrierReads) RegisteredServers(ctx context.Context, ids []string) ([]string, error) {
	r.mu.Lock()
	r.inside++
	if r.inside == 2 {
		close(r.both)
	}
	r.mu.Unlock()
	select {
	case <-r.both:
	case <-time.After(r.hold):
	}
	return r.StateReader.RegisteredServers(ctx, ids)
}

// Two batches naming the same new servers at once register them once:
// the second reads them only after the first registered them. Without
// the servers' locks both would read them unregistered (the barrier lets
// both reads in together) and both append.
func TestFleetTokenConcurrentBatchesRegisterOnce(t *testing.T) {
	waits := &countingWaiter{}
	reads := &barrierReads{hold: 300 * time.Millisecond, both: make(chan struct{})}
	h := newHarnessWith(t, harnessOptions{
		waiter: func(p Waiter) Waiter { waits.Waiter = p; return waits },
		state: func(s projections.StateReader) projections.StateReader {
			reads.StateReader = s
			return reads
		},
	})
	ctx := testCtx(t)
	reps := fleetReports("shared", 30)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, ip := range []string{"198.51.100.21", "198.51.100.22"} {
		r, err := NewReports(ReportsConfig{Log: h.log, State: reads, Commands: h.svc, FleetToken: testFleetToken})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { errs <- r.Authorize(ctx, Agent{Fleet: true}, ip, reps) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if w := waits.n.Load(); w != 1 {
		t.Fatalf("%d appends waited for, want 1: the servers were registered twice", w)
	}
}
