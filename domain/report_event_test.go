package domain

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// AppendReportEvent writes what NewEvent and EncodeAs write, in both
// formats, after whatever dst holds.
func TestAppendReportEventMatchesNewEventAndEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	now := time.Unix(1.7e9, 123).In(time.FixedZone("x", 3600))
	for _, f := range []ReportFormat{ReportsBinary, ReportsJSON} {
		for i := range 300 {
			r := inUTC(randomReportEvent(t, rng, i).Payload.(ServerReported))
			if r.ServerID == "" {
				r.ServerID = "server-of-report-" + strconv.Itoa(i) // an event needs one
			}
			ip := []string{"", "203.0.113.7", "2001:db8::7"}[i%3]
			prefix := []byte("earlier reports")
			got, err := AppendReportEvent(prefix, r, ip, now, f)
			if err != nil {
				t.Fatalf("%v report %d: %v", f, i, err)
			}
			if string(got[:len(prefix)]) != "earlier reports" {
				t.Fatalf("%v report %d: the bytes before were changed: %q", f, i, got[:len(prefix)])
			}
			dec, err := Decode(got[len(prefix):])
			if err != nil {
				t.Fatalf("%v report %d: decode: %v", f, i, err)
			}
			want, err := NewEvent(r, r.ServerID, 0, AgentActor(r.ServerID), ip, now)
			if err != nil {
				t.Fatal(err)
			}
			want.ID = dec.ID // a new id each time
			if !reflect.DeepEqual(dec, want) {
				t.Fatalf("%v report %d:\n got %#v\nwant %#v", f, i, dec, want)
			}
			enc, err := EncodeAs(want, f)
			if err != nil || string(enc) != string(got[len(prefix):]) {
				t.Fatalf("%v report %d: EncodeAs wrote other bytes (%v):\n%q\n%q", f, i, err, enc, got[len(prefix):])
			}
		}
	}
}

func TestAppendReportEventRefuses(t *testing.T) {
	now := time.Now()
	ok := ServerReported{ServerID: "los-angeles", ReportedAt: now}
	cases := []struct {
		name string
		r    ServerReported
		ip   string
		now  time.Time
		f    ReportFormat
	}{
		{"no server id", ServerReported{ReportedAt: now}, "", now, ReportsBinary},
		{"bad source ip", ok, "not-an-ip", now, ReportsBinary},
		{"no time", ok, "", time.Time{}, ReportsBinary},
		{"no server id, json", ServerReported{ReportedAt: now}, "", now, ReportsJSON},
		{"unknown format", ok, "", now, ReportsJSON + 1},
	}
	for _, tc := range cases {
		dst := []byte("kept")
		got, err := AppendReportEvent(dst, tc.r, tc.ip, tc.now, tc.f)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		}
		if string(got) != "kept" {
			t.Errorf("%s: dst became %q", tc.name, got)
		}
		if tc.f <= ReportsJSON && !IsKind(err, KindInvalid) {
			t.Errorf("%s: err = %v, want an invalid-kind error", tc.name, err)
		}
	}
}

// Written into a buffer with room, a binary report allocates nothing for
// its bytes: what is left is its id (uuid.NewV7 allocates one) and its
// actor's string.
func TestAppendReportEventAllocations(t *testing.T) {
	r := samplePayloads()[1].(ServerReported)
	buf := make([]byte, 0, 4096)
	now := time.Now()
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := AppendReportEvent(buf[:0], r, "203.0.113.1", now, ReportsBinary); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("%v allocations per report, want at most 2", allocs)
	}
}

// BenchmarkAppendReportEvent is the per-report cost of ingest's encode:
// a new event id, the envelope's checks and the binary form.
func BenchmarkAppendReportEvent(b *testing.B) {
	r := ServerReported{ServerID: "server-0042", PingMS: 12.5, PingOK: true, Peers: 40,
		TransferRx: 1 << 30, TransferTx: 1 << 29, ReportedAt: time.Unix(1.7e9, 0).UTC()}
	now := time.Now()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendReportEvent(buf[:0], r, "203.0.113.7", now, ReportsBinary); err != nil {
			b.Fatal(err)
		}
	}
}
