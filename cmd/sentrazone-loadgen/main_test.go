package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/api"
	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/ingest"
	"github.com/sentrazone/sentrazone/ingest/secrets"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memhistory"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

const (
	testFleet    = "fleet-token-for-loadgen-tests"
	testEmail    = "admin@example.com"
	testPassword = "correct horse battery"
)

type ready struct{}

func (ready) Ready(context.Context) error { return nil }

// controlPlane runs the embedded default in process (broker, memory
// stores, projector, API) and returns its base URL and data dir.
func controlPlane(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	emb, err := eventstore.StartEmbedded(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	kl, err := eventstore.NewKafkaLog(eventstore.Config{Brokers: []string{emb.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kl.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := kl.EnsureTopics(ctx, eventstore.DefaultTopics(3, 0)); err != nil {
		t.Fatal(err)
	}
	keys, err := secrets.NewFileStore(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secrets.NewSealer(bytes.Repeat([]byte{7}, 32), keys)
	if err != nil {
		t.Fatal(err)
	}
	state, history := memstate.New(keys), memhistory.New()
	proj := projections.NewProjector(kl, state, history, nil)
	go func() { _ = proj.Run(ctx) }()
	if err := proj.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := ingest.NewService(ingest.Config{Log: kl, State: state, Waiter: proj, Sealer: sealer, Changes: proj.EventsChanged})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := ingest.NewReports(ingest.ReportsConfig{Log: kl, State: state, Commands: svc, FleetToken: testFleet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, ingest.Actor{Email: domain.ActorSystem}, testEmail, testPassword, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	app, err := api.New(api.Config{Commands: svc, Reports: reports, State: state, History: history, Health: ready{},
		JWTSecret: bytes.Repeat([]byte{9}, 32), OfflineAfter: time.Minute, LoginPerIP: 1000, LoginPerEmail: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String(), dir
}

func runMode(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out.String(), errb.String())
	}
	return out.String()
}

func mustMatch(t *testing.T, out, pattern string) {
	t.Helper()
	if !regexp.MustCompile(pattern).MatchString(out) {
		t.Fatalf("output does not match %q:\n%s", pattern, out)
	}
}

// TestModesAgainstInProcessControlPlane runs every load mode with tiny
// sizes so none can rot; it asserts results, never timings.
func TestModesAgainstInProcessControlPlane(t *testing.T) {
	url, _ := controlPlane(t)
	creds := []string{"--url", url, "--email", testEmail, "--password", testPassword}

	out := runMode(t, append([]string{"report", "--token", testFleet, "--servers", "20", "--concurrency", "4",
		"--duration", "1s", "--count", "60", "--probes", "2", "--probe-every", "100ms", "--poll-every", "20ms",
		"--settle", "20s"}, creds...)...)
	mustMatch(t, out, `accepted: 60 reports`)
	mustMatch(t, out, `errors: none`)
	mustMatch(t, out, `freshness to statuses \(unseen 0\): n=[1-9]`)
	mustMatch(t, out, `freshness to history \(unseen 0\): n=[1-9]`)

	out = runMode(t, append([]string{"report", "--token", testFleet, "--servers", "20", "--batch", "10",
		"--peer-stats", "3", "--rate", "200", "--duration", "300ms"}, creds...)...)
	mustMatch(t, out, `errors: none`)

	out = runMode(t, append([]string{"report", "--per-server-tokens", "--prefix", "own-", "--servers", "3",
		"--concurrency", "2", "--count", "6", "--duration", "2s"}, creds...)...)
	mustMatch(t, out, `accepted: 6 reports`)

	out = runMode(t, append([]string{"seed-history", "--token", testFleet, "--servers", "3", "--span", "1h",
		"--every", "10m", "--batch", "4"}, creds...)...)
	mustMatch(t, out, `seed-history: 18 reports`)

	out = runMode(t, append([]string{"query", "--history-servers", "3", "--count", "5"}, creds...)...)
	mustMatch(t, out, `requests: 5,`)
	mustMatch(t, out, `errors: none`)
	out = runMode(t, append([]string{"query", "--path", "/api/statuses", "--concurrency", "2", "--count", "4"}, creds...)...)
	mustMatch(t, out, `errors: none`)
	plain := regexp.MustCompile(`([0-9]+) bytes per answer`).FindStringSubmatch(out)
	out = runMode(t, append([]string{"query", "--path", "/api/statuses", "--count", "3", "--accept-encoding", "gzip"}, creds...)...)
	mustMatch(t, out, `errors: none`)
	mustMatch(t, out, `compressed: 3 of 3 answers \(Accept-Encoding: gzip\)`)
	gz := regexp.MustCompile(`([0-9]+) bytes per answer`).FindStringSubmatch(out)
	if p, g := atoi(t, plain[1]), atoi(t, gz[1]); g >= p {
		t.Errorf("statuses: %d bytes compressed, %d plain", g, p)
	}

	out = runMode(t, append([]string{"export"}, creds...)...)
	mustMatch(t, out, `export: [1-9][0-9]* rows`)
}

func TestSeedAuditAppendsEventsTheProjectionAccepts(t *testing.T) {
	dir := t.TempDir()
	out := runMode(t, "seed-audit", "--data-dir", dir, "--events", "50", "--batch", "7")
	mustMatch(t, out, `seed-audit: 50 events`)
	emb, err := eventstore.StartEmbedded(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	kl, err := eventstore.NewKafkaLog(eventstore.Config{Brokers: []string{emb.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer kl.Close()
	state := memstate.New(nil)
	proj := projections.NewProjector(kl, state, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() { _ = proj.Run(ctx) }()
	if err := proj.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := state.ExportAudit(ctx, projections.AuditFilter{}, func(projections.AuditRow) error { rows++; return nil }); err != nil {
		t.Fatal(err)
	}
	if rows != 50 {
		t.Fatalf("audit rows = %d, want 50", rows)
	}
}

func TestCeilingAnswersLikeTheReportEndpoint(t *testing.T) {
	app := ceilingApp()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	defer app.Shutdown()
	// The ceiling server runs in this process: --pid measures it.
	out := runMode(t, "report", "--url", "http://"+ln.Addr().String(), "--token", "x", "--servers", "5",
		"--batch", "5", "--count", "50", "--duration", "2s", "--pid", strconv.Itoa(os.Getpid()))
	mustMatch(t, out, `accepted: 50 reports`)
	mustMatch(t, out, `cpu: load generator [0-9.]+ cores \([0-9.]+ µs/report\); machine idle [0-9]+%; server [0-9.]+ cores \([0-9.]+ µs/report\)`)
	if strings.Contains(out, "freshness") {
		t.Fatal("no probes were asked for")
	}
}

func TestUsageAndBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "seed-audit") {
		t.Fatalf("-h: exit %d, %q", code, out.String())
	}
	if code := run(context.Background(), []string{"report"}, &out, &errb); code != 1 {
		t.Fatalf("report without a token: exit %d", code)
	}
	for _, pid := range []string{"-1", "999999999"} {
		errb.Reset()
		if code := run(context.Background(), []string{"report", "--token", "x", "--pid", pid}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "pid") {
			t.Fatalf("report --pid %s: exit %d, %q", pid, code, errb.String())
		}
	}
	if code := run(context.Background(), []string{"nope"}, &out, &errb); code != 2 {
		t.Fatalf("unknown mode: exit %d", code)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
