package ingest

import (
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
	for p := range 2 {
		b, err := h.log.Fetch(ctx, eventstore.TopicReports, p, 0, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range b.Records {
			e, err := domain.Decode(r.Value)
			if err != nil {
				t.Fatal(err)
			}
			got := e.Payload.(domain.ServerReported)
			if want := report(got.ServerID)[0]; !reflect.DeepEqual(got, want) {
				t.Fatalf("read back %+v, want %+v", got, want)
			}
			firstByte[got.ServerID] = r.Value[0]
		}
	}
	if firstByte["bin-1"] != 0x01 || firstByte["json-1"] != '{' {
		t.Fatalf("records start with %q, want the binary marker for bin-1 and '{' for json-1", firstByte)
	}
	if _, err := NewReports(ReportsConfig{Log: h.log, State: h.state, Commands: h.svc, Format: 9}); err == nil {
		t.Fatal("an unknown report format was accepted")
	}
}
