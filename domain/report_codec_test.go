package domain

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	segjson "github.com/segmentio/encoding/json"
)

// randomReport returns a report with the shapes the hand-written codec
// must handle or refuse: no interface or one, no peer stats, none or
// several, pings of every magnitude, times in other zones, and now and
// then a string or a value only the general way can write.
func randomReport(rng *rand.Rand) ServerReported {
	zones := []*time.Location{time.UTC, time.FixedZone("", 2*3600), time.FixedZone("X", -(7*3600 + 1800)),
		time.FixedZone("Y", 5*3600+1)}
	at := func() time.Time {
		t := time.Unix(rng.Int64N(4e9), int64(rng.IntN(3))*int64(rng.IntN(1e9))).In(zones[rng.IntN(len(zones))])
		if rng.IntN(20) == 0 {
			t = time.Time{}
		}
		return t
	}
	str := func() string {
		s := []string{"los-angeles", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "[2001:db8::1]:51820", "", "10.0.0.1:1"}[rng.IntN(5)]
		if rng.IntN(30) == 0 {
			s += []string{"<", "\"", "\\", "é", "\x01", "&"}[rng.IntN(6)]
		}
		return s
	}
	pings := []float64{0, 12.4, 0.5, 1e-7, 1e21, 123456789.125, -3, 1e-6, 999999999999999999999, math.SmallestNonzeroFloat64}
	r := ServerReported{
		ServerID: str(), PingMS: pings[rng.IntN(len(pings))], PingOK: rng.IntN(2) == 0,
		Peers: rng.IntN(5000) - 1, TransferRx: rng.Uint64(), TransferTx: rng.Uint64() >> rng.IntN(64),
		ReportedAt: at(), AppliedVersion: rng.Int64N(1 << 40),
	}
	if rng.IntN(2) == 0 {
		r.Interface = &InterfaceInfo{PublicKey: str(), ListenPort: rng.IntN(65536)}
	}
	switch rng.IntN(3) {
	case 1:
		r.PeerStats = []PeerStat{}
	case 2:
		for range 1 + rng.IntN(4) {
			r.PeerStats = append(r.PeerStats, PeerStat{PublicKey: str(), Endpoint: str(),
				LatestHandshakeAt: at(), TransferRx: rng.Uint64(), TransferTx: rng.Uint64N(1000)})
		}
	}
	return r
}

// generalEncode is the general JSON way: how Encode wrote every event
// before server_reported took its binary form, and still writes the
// others.
func generalEncode(t testing.TB, e Envelope) []byte {
	t.Helper()
	b, err := segjson.Marshal(wireOut{
		wireHeader: wireHeader{V: EnvelopeVersion, ID: e.ID, Type: e.Type, Schema: e.SchemaVersion,
			AggregateID: e.AggregateID, AggregateVersion: e.AggregateVersion, Actor: e.Actor,
			SourceIP: e.SourceIP, OccurredAt: e.OccurredAt.UTC()},
		Payload: e.Payload,
	})
	if err != nil {
		t.Fatalf("general encode: %v", err)
	}
	return b
}

// randomReportEvent returns the i-th event of randomReport.
func randomReportEvent(t testing.TB, rng *rand.Rand, i int) Envelope {
	t.Helper()
	e, err := NewEvent(randomReport(rng), "agg-"+strings.Repeat("x", i%3), int64(i), "agent:x",
		[]string{"", "203.0.113.1", "2001:db8::1"}[i%3], time.Unix(1.7e9+int64(i), int64(i)))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// inUTC returns r with its times in UTC, as ingest hands reports over
// (NormalizeReport); the binary form keeps the instant, not the zone.
func inUTC(r ServerReported) ServerReported {
	r.ReportedAt = r.ReportedAt.UTC()
	if r.PeerStats != nil {
		stats := make([]PeerStat, len(r.PeerStats))
		for i, ps := range r.PeerStats {
			ps.LatestHandshakeAt = ps.LatestHandshakeAt.UTC()
			stats[i] = ps
		}
		r.PeerStats = stats
	}
	return r
}

// Encode writes a report in the binary form, Decode reads it back to the
// same event, and a second encoding gives the same bytes.
func TestReportBinaryRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	binSize, jsonSize := 0, 0
	for i := range 5000 {
		e := randomReportEvent(t, rng, i)
		e.Payload = inUTC(e.Payload.(ServerReported))
		enc, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if enc[0] != reportBinaryMarker {
			t.Fatalf("report %d: not in the binary form: %q", i, enc)
		}
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("report %d: %v\n%x", i, err, enc)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("report %d:\n got %#v\nwant %#v", i, got, e)
		}
		again, err := Encode(got)
		if err != nil || string(again) != string(enc) {
			t.Fatalf("report %d: encoded again to other bytes (%v):\n%x\n%x", i, err, again, enc)
		}
		binSize += len(enc)
		jsonSize += len(generalEncode(t, e))
	}
	if binSize*2 > jsonSize {
		t.Errorf("binary reports take %d bytes, JSON %d: want under half", binSize, jsonSize)
	}
}

// DecodeOwned reads what Decode reads, with the strings in the input's
// memory instead of a copy: one allocation fewer per report.
func TestDecodeOwnedSharesTheInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	within := func(s string, b []byte) bool {
		p, lo := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		return p >= lo && p+uintptr(len(s)) <= lo+uintptr(len(b))
	}
	for i := range 500 {
		enc, err := Encode(randomReportEvent(t, rng, i))
		if err != nil {
			t.Fatal(err)
		}
		copied, err := Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		owned, err := DecodeOwned(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(owned, copied) {
			t.Fatalf("report %d:\n owned %#v\ncopied %#v", i, owned, copied)
		}
		if !within(owned.Actor, enc) || within(copied.Actor, enc) {
			t.Fatalf("report %d: owned actor in the input %v, copied actor in the input %v",
				i, within(owned.Actor, enc), within(copied.Actor, enc))
		}
	}
	enc, err := Encode(randomReportEvent(t, rng, 0))
	if err != nil {
		t.Fatal(err)
	}
	decodeAllocs := testing.AllocsPerRun(100, func() { _, _ = Decode(enc) })
	ownedAllocs := testing.AllocsPerRun(100, func() { _, _ = DecodeOwned(enc) })
	if ownedAllocs != decodeAllocs-1 {
		t.Errorf("DecodeOwned makes %v allocations, Decode %v: want one fewer", ownedAllocs, decodeAllocs)
	}
	// The JSON form of older builds decodes owned, too.
	legacy := generalEncode(t, randomReportEvent(t, rng, 1))
	if _, err := DecodeOwned(legacy); err != nil {
		t.Fatalf("legacy JSON report: %v", err)
	}
}

// Reports written as JSON by earlier builds still decode: the hand-written
// decoder reads what the general one reads, and takes most of them.
func TestLegacyJSONReportsDecode(t *testing.T) {
	if s, _ := SchemaVersionOf(EventServerReported); s != 1 {
		t.Fatalf("server_reported is at schema %d: the hand-written decoder reads 1", s)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	fast := 0
	const n = 5000
	for i := range n {
		e := randomReportEvent(t, rng, i)
		raw := generalEncode(t, e)
		slow, err := decodeAny(raw)
		if err != nil {
			t.Fatalf("report %d: general decode: %v", i, err)
		}
		got, err := Decode(raw)
		if err != nil || !reflect.DeepEqual(got, slow) {
			t.Fatalf("report %d: Decode (%v):\n got %#v\nwant %#v", i, err, got, slow)
		}
		if dec, ok := decodeReportFast(raw); ok {
			fast++
			if !reflect.DeepEqual(dec, slow) {
				t.Fatalf("report %d:\n hand %#v\n gen  %#v", i, dec, slow)
			}
		}
	}
	if fast < n/2 {
		t.Errorf("only %d of %d reports took the hand-written way", fast, n)
	}
}

// FuzzDecodeReportFast: whatever the hand-written decoders accept, the
// general decoder accepts too, and reads the same event.
func FuzzDecodeReportFast(f *testing.F) {
	for _, p := range samplePayloads() {
		e, err := NewEvent(p, "agg-1", 3, "admin@example.com", "2001:db8::1", time.Now().UTC())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(generalEncode(f, e))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		f.Add(generalEncode(f, randomReportEvent(f, rng, i)))
	}
	f.Add([]byte(`{"v":1,"id":"00000000-0000-0000-0000-000000000000","type":"server_reported","schema":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeReportFast(b)
		if !ok {
			if fast, ok = decodeEnvelopeFast(b); !ok {
				return
			}
		}
		slow, err := decodeAny(b)
		if err != nil {
			t.Fatalf("hand-written decoder accepted what the general one refuses (%v):\n%s", err, b)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decoders differ on\n%s\n hand %#v\n gen  %#v", b, fast, slow)
		}
	})
}

// Every event type's envelope, as the general encoder writes it, is read by hand, and
// to the event the general decoder reads.
func TestDecodeEnvelopeFastMatchesGeneral(t *testing.T) {
	for _, p := range samplePayloads() {
		e, err := NewEvent(p, "agg-1", 3, "admin@example.com", "2001:db8::1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b := generalEncode(t, e)
		fast, ok := decodeEnvelopeFast(b)
		if !ok {
			t.Fatalf("%s: not read by hand:\n%s", e.Type, b)
		}
		slow, err := decodeAny(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s:\n hand %#v\n gen  %#v", e.Type, fast, slow)
		}
		bad := append(append([]byte(nil), b[:len(b)-1]...), `,"extra":1}`...)
		if _, ok := decodeEnvelopeFast(bad); ok {
			t.Fatalf("%s: an unknown envelope field was read by hand", e.Type)
		}
	}
}
