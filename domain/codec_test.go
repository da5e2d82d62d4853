package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// roundTrip wraps p with NewEvent at a non-UTC time with nanoseconds, encodes
// and decodes it, and fails unless the result is deeply equal.
func roundTrip(t *testing.T, p Payload) {
	t.Helper()
	now := time.Date(2026, 5, 6, 14, 30, 1, 987654321, time.FixedZone("CEST", 2*3600))
	e, err := NewEvent(p, "agg-1", 7, "admin@example.com", "2001:db8::1", now)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	b, err := Encode(e)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, e) {
		t.Fatalf("round trip differs:\n got %#v\nwant %#v\njson %s", got, e, b)
	}
	if got.OccurredAt.Location() != time.UTC || !got.OccurredAt.Equal(now) {
		t.Fatalf("OccurredAt = %v, want %v in UTC", got.OccurredAt, now)
	}
}

func TestCodecRoundTripEveryType(t *testing.T) {
	samples := map[EventType]Payload{}
	for _, p := range samplePayloads() {
		if _, ok := SchemaVersionOf(p.EventType()); !ok {
			t.Errorf("sample %T has unregistered type %q", p, p.EventType())
		}
		samples[p.EventType()] = p
	}
	for _, typ := range EventTypes() {
		t.Run(string(typ), func(t *testing.T) {
			p, ok := samples[typ]
			if !ok {
				t.Fatalf("no round-trip sample for %q: add one to samplePayloads", typ)
			}
			roundTrip(t, p)
			// The zero value exercises nil slices, maps and pointers.
			roundTrip(t, reflect.Zero(reflect.TypeOf(p)).Interface().(Payload))
		})
	}
}

// mutate decodes an encoded event into a generic map, lets f change it and
// re-encodes it.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	e, err := NewEvent(WGClientDeleted{ServerID: "s", ClientID: "c"}, "s", 3, ActorSystem, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"unknown type", mutate(t, func(m map[string]any) { m["type"] = "server_exploded" }), ErrUnknownEventType},
		{"newer schema", mutate(t, func(m map[string]any) { m["schema"] = 2 }), ErrUnsupportedSchema},
		{"newer envelope", mutate(t, func(m map[string]any) { m["v"] = 2 }), ErrUnsupportedSchema},
		{"newer envelope, new shape", mutate(t, func(m map[string]any) { m["v"] = 3; m["id"] = 17 }), ErrUnsupportedSchema},
		{"empty", []byte{}, ErrMalformedEvent},
		{"garbage", []byte("\x00\xffnot json"), ErrMalformedEvent},
		{"json null", []byte("null"), ErrMalformedEvent},
		{"empty object", []byte("{}"), ErrMalformedEvent},
		{"array", []byte("[1,2]"), ErrMalformedEvent},
		{"truncated", mutate(t, func(map[string]any) {})[:40], ErrMalformedEvent},
		{"trailing data", append(mutate(t, func(map[string]any) {}), []byte(" {}")...), ErrMalformedEvent},
		{"missing version", mutate(t, func(m map[string]any) { delete(m, "v") }), ErrMalformedEvent},
		{"missing id", mutate(t, func(m map[string]any) { delete(m, "id") }), ErrMalformedEvent},
		{"bad id", mutate(t, func(m map[string]any) { m["id"] = "nope" }), ErrMalformedEvent},
		{"missing schema", mutate(t, func(m map[string]any) { delete(m, "schema") }), ErrMalformedEvent},
		{"missing payload", mutate(t, func(m map[string]any) { delete(m, "payload") }), ErrMalformedEvent},
		{"null payload", mutate(t, func(m map[string]any) { m["payload"] = nil }), ErrMalformedEvent},
		{"payload wrong shape", mutate(t, func(m map[string]any) { m["payload"] = map[string]any{"server_id": 5} }), ErrMalformedEvent},
		{"unknown envelope field", mutate(t, func(m map[string]any) { m["extra"] = 1 }), ErrMalformedEvent},
		{"unknown payload field", mutate(t, func(m map[string]any) { m["payload"].(map[string]any)["name"] = "x" }), ErrMalformedEvent},
		{"bad time", mutate(t, func(m map[string]any) { m["occurred_at"] = "yesterday" }), ErrMalformedEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.input)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
		})
	}
}

// unregistered is a payload type the registry does not know.
type unregistered struct{}

func (unregistered) EventType() EventType { return "not_registered" }
func (unregistered) AuditTarget() string  { return "" }

func TestEncodeErrors(t *testing.T) {
	good, err := NewEvent(WGClientEnabled{ServerID: "s", ClientID: "c"}, "s", 0, ActorSystem, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(e *Envelope)
		want error
	}{
		{"nil payload", func(e *Envelope) { e.Payload = nil }, ErrMalformedEvent},
		{"type mismatch", func(e *Envelope) { e.Type = EventWGClientDeleted }, ErrMalformedEvent},
		{"unknown type", func(e *Envelope) { e.Type, e.Payload = "not_registered", unregistered{} }, ErrUnknownEventType},
		{"newer schema", func(e *Envelope) { e.SchemaVersion = 9 }, ErrUnsupportedSchema},
		{"missing schema", func(e *Envelope) { e.SchemaVersion = 0 }, ErrMalformedEvent},
		{"missing id", func(e *Envelope) { e.ID = uuid.Nil }, ErrMalformedEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			if _, err := Encode(e); !errors.Is(err, tt.want) {
				t.Fatalf("Encode error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEncodeWritesEnvelopeVersion(t *testing.T) {
	b := mutate(t, func(map[string]any) {})
	if !strings.Contains(string(b), `"v":1`) || !strings.Contains(string(b), `"schema":1`) {
		t.Fatalf("encoded event lacks version fields: %s", b)
	}
}

func TestNewEvent(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", -5*3600))
	e, err := NewEvent(WGClientDeleted{ServerID: "s", ClientID: "c"}, "s", 4, AgentActor("s"), "1.2.3.4", now)
	if err != nil {
		t.Fatal(err)
	}
	if e.ID.Version() != 7 || e.Type != EventWGClientDeleted || e.SchemaVersion != 1 || e.AggregateVersion != 4 {
		t.Fatalf("unexpected envelope %+v", e)
	}
	if e.OccurredAt.Location() != time.UTC || !e.OccurredAt.Equal(now) {
		t.Fatalf("OccurredAt = %v, want UTC", e.OccurredAt)
	}
	if e.Actor != "agent:s" || e.AuditAction() != "wg_client_deleted" || e.AuditTarget() != "s/c" {
		t.Fatalf("actor/action/target = %q %q %q", e.Actor, e.AuditAction(), e.AuditTarget())
	}

	bad := []struct {
		name    string
		payload Payload
		agg     string
		ver     int64
		actor   string
		ip      string
		want    error
	}{
		{"nil payload", nil, "s", 0, "a", "", nil},
		{"unknown type", unregistered{}, "s", 0, "a", "", ErrUnknownEventType},
		{"empty aggregate", WGClientDeleted{}, "", 0, "a", "", nil},
		{"negative version", WGClientDeleted{}, "s", -1, "a", "", nil},
		{"empty actor", WGClientDeleted{}, "s", 0, " ", "", nil},
		{"bad ip", WGClientDeleted{}, "s", 0, "a", "1.2.3", nil},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEvent(tt.payload, tt.agg, tt.ver, tt.actor, tt.ip, now)
			if err == nil {
				t.Fatal("NewEvent succeeded, want error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && !IsKind(err, KindInvalid) {
				t.Fatalf("error = %v, want KindInvalid", err)
			}
		})
	}
}

func TestAggregateKindOf(t *testing.T) {
	want := map[EventType]AggregateKind{
		EventServerRegistered: AggregateServer, EventWGClientCreated: AggregateServer,
		EventWGClientDeleted: AggregateServer, EventUserCreated: AggregateUser,
		EventServerReported: AggregateNone, EventLoginFailed: AggregateNone, "nope": AggregateNone,
	}
	for typ, k := range want {
		if got := AggregateKindOf(typ); got != k {
			t.Errorf("AggregateKindOf(%q) = %q, want %q", typ, got, k)
		}
	}
}

// BenchmarkDecodeReport decodes one server_reported event in its binary
// form, copying it for its strings.
func BenchmarkDecodeReport(b *testing.B) { benchmarkDecodeReport(b, Decode) }

// BenchmarkDecodeReportOwned is the projections' decode: the strings
// share the fetched bytes.
func BenchmarkDecodeReportOwned(b *testing.B) { benchmarkDecodeReport(b, DecodeOwned) }

func benchmarkDecodeReport(b *testing.B, decode func([]byte) (Envelope, error)) {
	e, err := NewEvent(samplePayloads()[1], "los-angeles", 0, AgentActor("los-angeles"), "203.0.113.1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	raw, err := Encode(e)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeReport measures the ingest side: one server_reported
// event in its binary form.
func BenchmarkEncodeReport(b *testing.B) {
	e, err := NewEvent(samplePayloads()[1], "los-angeles", 0, AgentActor("los-angeles"), "203.0.113.1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeReportJSON: the same event as JSON (--report-format
// json, for rolling upgrades from builds before the binary form).
func BenchmarkEncodeReportJSON(b *testing.B) {
	e, err := NewEvent(samplePayloads()[1], "los-angeles", 0, AgentActor("los-angeles"), "203.0.113.1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeAs(e, ReportsJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeCopiesInput: a decoded event must not point into the input,
// which the projections' Kafka reader reuses.
func TestDecodeCopiesInput(t *testing.T) {
	for _, p := range samplePayloads() {
		e, err := NewEvent(p, "agg-1", 0, "admin@example.com", "2001:db8::1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b, err := Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b {
			b[i] = 'x'
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("%s: decoded event changed with its input:\n got %#v\nwant %#v", p.EventType(), got, e)
		}
	}
}

// The hand-written path for server_reported as JSON (as earlier builds
// wrote it) decodes exactly what the general path does, and leaves everything it does not accept to it.
func TestDecodeReportFastPathMatchesGeneral(t *testing.T) {
	for _, p := range samplePayloads() {
		e, err := NewEvent(p, "agg-1", 0, "agent:agg-1", "2001:db8::1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		raw := generalEncode(t, e)
		fast, ok := decodeReportFast(raw)
		if ok != (e.Type == EventServerReported) {
			t.Fatalf("%s: fast path taken = %v", e.Type, ok)
		}
		slow, err := decodeAny(raw)
		if err != nil {
			t.Fatal(err)
		}
		if ok && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: fast %+v\nslow %+v", e.Type, fast, slow)
		}
	}
	e, err := NewEvent(samplePayloads()[1], "srv", 0, "agent:srv", "", time.Now())
	if err != nil || e.Type != EventServerReported {
		t.Fatalf("sample 1 is not a report: %v %v", e.Type, err)
	}
	raw := generalEncode(t, e)
	for name, bad := range map[string]string{
		"unknown payload field": strings.Replace(string(raw), `"peers":`, `"bogus":1,"peers":`, 1),
		"newer schema":          strings.Replace(string(raw), `"schema":1`, `"schema":2`, 1),
		"null payload":          regexp.MustCompile(`"payload":\{.*\}\}$`).ReplaceAllString(string(raw), `"payload":null}`),
		"trailing data":         string(raw) + " {}",
	} {
		if _, ok := decodeReportFast([]byte(bad)); ok {
			t.Errorf("%s: taken by the fast path", name)
		}
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}
