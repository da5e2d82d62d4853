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

// gateWaiter holds every wait for a projection until want of them are
// waiting at once, or until hold has passed, and records the most that
// ever waited together.
type gateWaiter struct {
	Waiter
	want int
	hold time.Duration

	mu      sync.Mutex
	waiting int
	most    int
	open    chan struct{}
}

func (w *gateWaiter) WaitApplied(ctx context.Context, topic string, partition int, offset int64) error {
	w.mu.Lock()
	w.waiting++
	w.most = max(w.most, w.waiting)
	if w.waiting >= w.want {
		select {
		case <-w.open:
		default:
			close(w.open)
		}
	}
	w.mu.Unlock()
	t := time.NewTimer(w.hold)
	select {
	case <-w.open:
	case <-t.C:
	}
	t.Stop()
	w.mu.Lock()
	w.waiting--
	w.mu.Unlock()
	return w.Waiter.WaitApplied(ctx, topic, partition, offset)
}

// A batch naming many new servers registers them side by side, not one
// after another: their appends share the log's round trips.
func TestFleetTokenRegistersABatchsServersTogether(t *testing.T) {
	gate := &gateWaiter{want: 8, hold: 300 * time.Millisecond, open: make(chan struct{})}
	h := newHarnessWaiting(t, func(p Waiter) Waiter { gate.Waiter = p; return gate })
	ctx := testCtx(t)
	var reps []domain.ServerReported
	for i := range 40 {
		reps = append(reps, domain.ServerReported{ServerID: fmt.Sprintf("batch-%02d", i)})
	}
	if err := h.reports.Authorize(ctx, Agent{Fleet: true}, "198.51.100.11", reps); err != nil {
		t.Fatal(err)
	}
	gate.mu.Lock()
	most := gate.most
	gate.mu.Unlock()
	if most < gate.want {
		t.Fatalf("at most %d registrations waited for their projection at once, want %d or more", most, gate.want)
	}
	for _, r := range reps {
		if _, ok, err := h.state.ServerView(ctx, r.ServerID); err != nil || !ok {
			t.Fatalf("%s not registered: %v", r.ServerID, err)
		}
	}
	rows, err := h.state.Audit(ctx, projectionsFilter("server_registered"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(reps) {
		t.Fatalf("%d server_registered rows, want %d", len(rows), len(reps))
	}
}

// serverReads counts the reads of single servers from the read model.
type serverReads struct {
	projections.StateReader
	n atomic.Int64
}

func (r *serverReads) Server(ctx context.Context, id string) (*domain.Server, error) {
	r.n.Add(1)
	return r.StateReader.Server(ctx, id)
}

func (r *serverReads) ServerView(ctx context.Context, id string) (projections.ServerView, bool, error) {
	r.n.Add(1)
	return r.StateReader.ServerView(ctx, id)
}

// TestFleetTokenReadsEachServerOnce: registering a server on its first
// fleet report reads the read model once (to decide), not again after the
// projection applied the registration; servers known to the read model
// but not yet to this Reports (as after a restart) are read once and not
// registered again; servers known to it are not read at all.
func TestFleetTokenReadsEachServerOnce(t *testing.T) {
	reads := &serverReads{}
	h := newHarnessWith(t, harnessOptions{state: func(s projections.StateReader) projections.StateReader {
		reads.StateReader = s
		return reads
	}})
	ctx := testCtx(t)
	var reps []domain.ServerReported
	for i := range 20 {
		reps = append(reps, domain.ServerReported{ServerID: fmt.Sprintf("once-%02d", i)})
	}
	authorize := func(r *Reports, wantReads int64) {
		t.Helper()
		reads.n.Store(0)
		if err := r.Authorize(ctx, Agent{Fleet: true}, "198.51.100.12", reps); err != nil {
			t.Fatal(err)
		}
		if got := reads.n.Load(); got != wantReads {
			t.Fatalf("%d reads of servers for %d reports, want %d", got, len(reps), wantReads)
		}
	}
	authorize(h.reports, int64(len(reps)))
	authorize(h.reports, 0)
	restarted, err := NewReports(ReportsConfig{Log: h.log, State: reads, Commands: h.svc, FleetToken: testFleetToken})
	if err != nil {
		t.Fatal(err)
	}
	authorize(restarted, int64(len(reps)))
	rows, err := h.state.Audit(ctx, projectionsFilter("server_registered"), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(reps) {
		t.Fatalf("%d server_registered rows, want %d", len(rows), len(reps))
	}
	for _, r := range reps {
		if _, ok, err := h.state.ServerView(ctx, r.ServerID); err != nil || !ok {
			t.Fatalf("%s not registered: %v", r.ServerID, err)
		}
	}
}
