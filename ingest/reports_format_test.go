package ingest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

// Reports are written in the configured format: binary by default, JSON
// when asked (for replicas of older builds); both read back the same.
func TestReportsAreWrittenInTheConfiguredFormat(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	jsonReports, err := NewReports(ReportsConfig{Log: h.log, State: h.state, Commands: h.svc, Format: domain.ReportsJSON})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	report := func(id string) []domain.ServerReported {
		return []domain.ServerReported{{ServerID: id, PingMS: 3.5, PingOK: true, Peers: 1, ReportedAt: at}}
	}
	if err := h.reports.Submit(ctx, report("bin-1")); err != nil {
		t.Fatal(err)
	}
	if err := jsonReports.Submit(ctx, report("json-1")); err != nil {
		t.Fatal(err)
	}
	firstByte := map[string]byte{}
	for _, rb := range readBackReports(t, h) {
		got := rb.report
		if want := report(got.ServerID)[0]; !reflect.DeepEqual(got, want) {
			t.Fatalf("read back %+v, want %+v", got, want)
		}
		firstByte[got.ServerID] = rb.first
	}
	if firstByte["bin-1"] != 0x01 || firstByte["json-1"] != '{' {
		t.Fatalf("records start with %q, want the binary marker for bin-1 and '{' for json-1", firstByte)
	}
	if _, err := NewReports(ReportsConfig{Log: h.log, State: h.state, Commands: h.svc, Format: 9}); err == nil {
		t.Fatal("an unknown report format was accepted")
	}
}

// A batch's reports share one buffer, which grows past its first size
// when reports carry many peers: each still reads back as itself, under
// its server's key, in order.
func TestSubmitBatchReadsBackReportByReport(t *testing.T) {
	h := newHarness(t)
	ctx := testCtx(t)
	at := time.Now().UTC().Truncate(time.Second)
	var batch []domain.ServerReported
	for i := range 60 {
		r := domain.ServerReported{ServerID: fmt.Sprintf("srv-%02d", i), PingMS: float64(i), PingOK: i%2 == 0, ReportedAt: at}
		for p := range (i % 7) * 9 { // up to 54 peers: far past the room made per report
			r.PeerStats = append(r.PeerStats, domain.PeerStat{PublicKey: fmt.Sprintf("peer-%02d-%02d", i, p), TransferRx: uint64(p)})
		}
		r.Peers = len(r.PeerStats)
		batch = append(batch, r)
	}
	if err := h.reports.Submit(ctx, batch); err != nil {
		t.Fatal(err)
	}
	want := map[string]domain.ServerReported{}
	for _, r := range batch {
		want[r.ServerID] = r
	}
	seen := 0
	for _, rb := range readBackReports(t, h) {
		got := rb.report
		if rb.key != got.ServerID || !reflect.DeepEqual(got, want[got.ServerID]) {
			t.Fatalf("record under key %q read back as %+v, want %+v", rb.key, got, want[got.ServerID])
		}
		seen++
	}
	if seen != len(batch) {
		t.Fatalf("read back %d reports, want %d", seen, len(batch))
	}
}

// readBack is a report record as fetched from the harness's log.
type readBack struct {
	key    string
	first  byte // the record's first byte: its form
	report domain.ServerReported
}

// readBackReports fetches and decodes every record of the harness's two
// reports partitions.
func readBackReports(t *testing.T, h *harness) []readBack {
	t.Helper()
	var out []readBack
	for p := range 2 {
		b, err := h.log.Fetch(testCtx(t), eventstore.TopicReports, p, 0, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range b.Records {
			e, err := domain.Decode(rec.Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, readBack{key: string(rec.Key), first: rec.Value[0], report: e.Payload.(domain.ServerReported)})
		}
	}
	return out
}
