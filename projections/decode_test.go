package projections

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
)

func reportRecords(t *testing.T, n int) []eventstore.Record {
	t.Helper()
	recs := make([]eventstore.Record, n)
	at := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	for i := range recs {
		e, err := domain.NewEvent(domain.ServerReported{ServerID: "s", PingMS: float64(i), PingOK: true, ReportedAt: at},
			"s", 0, domain.AgentActor("s"), "", at)
		if err != nil {
			t.Fatal(err)
		}
		v, err := domain.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = eventstore.Record{Topic: eventstore.TopicReports, Offset: int64(100 + i), Value: v}
	}
	return recs
}

// A batch large enough to be decoded in chunks at once comes out whole
// and in order; a bad record stops it, and the error names the first one.
func TestDecodeAllInChunks(t *testing.T) {
	const n = 5 * decodeChunkMin
	recs := reportRecords(t, n)
	got, err := decodeAll(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d decoded, want %d", len(got), n)
	}
	for i, d := range got {
		r, ok := ReportOf(d.Event)
		if !ok || d.Offset != int64(100+i) || r.PingMS != float64(i) {
			t.Fatalf("record %d: offset %d, ping %v", i, d.Offset, r.PingMS)
		}
	}
	recs[n-1].Value = []byte(`{"v":1}`)    // in the last chunk
	recs[n/2-1].Value = []byte(`not json`) // in an earlier one
	want := "@" + strconv.Itoa(100+n/2-1) + ":"
	if _, err := decodeAll(recs); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want it to name offset %d", err, 100+n/2-1)
	}
}
