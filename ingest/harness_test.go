package ingest

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/ingest/secrets"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memhistory"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// harness is the write side on a real log (embedded broker) with the
// in-memory read model and its projector.
type harness struct {
	svc     *Service
	reports *Reports
	state   *memstate.Store
	keys    *secrets.FileStore
	keysDir string
	log     *eventstore.KafkaLog
}

const testFleetToken = "fleet-token-for-ingest-tests"

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, harnessOptions{})
}

// harnessOptions wrap what the write side uses, when set: the waiter
// (around the projector) and the read model.
type harnessOptions struct {
	waiter func(Waiter) Waiter
	state  func(projections.StateReader) projections.StateReader
}

// newHarnessWith is newHarness with the wrappers of o.
func newHarnessWith(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	dir := t.TempDir()
	emb, err := eventstore.StartEmbedded(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	l, err := eventstore.NewKafkaLog(eventstore.Config{Brokers: []string{emb.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := l.EnsureTopics(ctx, eventstore.DefaultTopics(2, 0)); err != nil {
		t.Fatal(err)
	}
	keysDir := filepath.Join(dir, "keys")
	keys, err := secrets.NewFileStore(keysDir)
	if err != nil {
		t.Fatal(err)
	}
	master := make([]byte, secrets.KeySize)
	rand.Read(master)
	sealer, err := secrets.NewSealer(master, keys)
	if err != nil {
		t.Fatal(err)
	}
	state := memstate.New(keys)
	proj := projections.NewProjector(l, state, memhistory.New(), nil)
	go proj.Run(ctx)
	var waiter Waiter = proj
	if o.waiter != nil {
		waiter = o.waiter(proj)
	}
	var reader projections.StateReader = state
	if o.state != nil {
		reader = o.state(state)
	}
	svc, err := NewService(Config{Log: l, State: reader, Waiter: waiter, Sealer: sealer,
		BcryptCost: bcrypt.MinCost, Changes: proj.EventsChanged})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := NewReports(ReportsConfig{Log: l, State: reader, Commands: svc, FleetToken: testFleetToken})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{svc: svc, reports: reports, state: state, keys: keys, keysDir: keysDir, log: l}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var admin = Actor{Email: "admin@example.com", IP: "192.0.2.1"}
