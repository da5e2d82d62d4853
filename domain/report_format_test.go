package domain

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

func TestReportFormatText(t *testing.T) {
	for _, f := range []ReportFormat{ReportsBinary, ReportsJSON} {
		b, err := f.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back ReportFormat
		if err := back.UnmarshalText(b); err != nil || back != f {
			t.Fatalf("%s read back as %v (%v)", b, back, err)
		}
	}
	var f ReportFormat
	if err := f.UnmarshalText([]byte("protobuf")); err == nil {
		t.Fatal("protobuf accepted as a report format")
	}
	if _, err := ReportFormat(7).MarshalText(); err == nil {
		t.Fatal("ReportFormat(7) has a name")
	}
}

// EncodeAs with ReportsJSON writes reports as builds before the binary
// form did (the general JSON encoder, which they could read), and they
// decode to the same event; other events are written as Encode writes
// them; an unknown format is refused.
func TestEncodeAsJSONReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 200 {
		e := randomReportEvent(t, rng, i)
		e.Payload = inUTC(e.Payload.(ServerReported))
		got, err := EncodeAs(e, ReportsJSON)
		if err != nil {
			t.Fatal(err)
		}
		if want := generalEncode(t, e); string(got) != string(want) {
			t.Fatalf("report %d:\n got %s\nwant %s", i, got, want)
		}
		back, err := Decode(got)
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Fatalf("report %d read back as %#v (%v), want %#v", i, back, err, e)
		}
	}
	for _, p := range samplePayloads() {
		if p.EventType() == EventServerReported {
			continue
		}
		e := mustEvent(t, p)
		a, errA := Encode(e)
		b, errB := EncodeAs(e, ReportsJSON)
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Fatalf("%s: Encode %s (%v), EncodeAs json %s (%v)", e.Type, a, errA, b, errB)
		}
	}
	if _, err := EncodeAs(mustEvent(t, samplePayloads()[1]), ReportFormat(7)); err == nil {
		t.Fatal("an unknown report format was used")
	}
}

func mustEvent(t *testing.T, p Payload) Envelope {
	t.Helper()
	e, err := NewEvent(p, "agg-1", 0, "admin@example.com", "2001:db8::1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e
}
