package domain

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protowire"
)

// binaryEvent builds a binary event from raw parts, for inputs Encode
// never writes: an envelope with id, type and schema, then more fields.
func binaryEvent(id []byte, typ string, schema uint64, more ...[]byte) []byte {
	b := []byte{reportBinaryMarker}
	if id != nil {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendBytes(b, id)
	}
	b = appendStringField(b, 2, typ)
	b = appendVarintField(b, 3, schema)
	for _, m := range more {
		b = append(b, m...)
	}
	return b
}

// field is one length-delimited field.
func field(num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
}

func varintField(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Decode refuses binary events that are not exactly what Encode writes,
// with the error kind a caller can tell apart, and never half-reads one.
func TestDecodeReportBinaryRefuses(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	sid := field(1, []byte("srv-1"))
	payload := func(fields ...[]byte) []byte { return field(9, cat(fields...)) }
	for name, c := range map[string]struct {
		in   []byte
		want error
	}{
		"marker only":          {[]byte{reportBinaryMarker}, ErrMalformedEvent},
		"no id":                {binaryEvent(nil, "server_reported", 1, payload(sid)), ErrMalformedEvent},
		"short id":             {binaryEvent(id[:15], "server_reported", 1, payload(sid)), ErrMalformedEvent},
		"no payload":           {binaryEvent(id[:], "server_reported", 1), ErrMalformedEvent},
		"another type":         {binaryEvent(id[:], string(EventServerRegistered), 1, payload(sid)), ErrMalformedEvent},
		"unknown type":         {binaryEvent(id[:], "bogus", 1, payload(sid)), ErrUnknownEventType},
		"newer schema":         {binaryEvent(id[:], "server_reported", 2, payload(sid)), ErrUnsupportedSchema},
		"no schema":            {binaryEvent(id[:], "server_reported", 0, payload(sid)), ErrMalformedEvent},
		"unknown field":        {binaryEvent(id[:], "server_reported", 1, payload(sid), varintField(15, 1)), ErrMalformedEvent},
		"unknown payload":      {binaryEvent(id[:], "server_reported", 1, payload(sid, varintField(12, 1))), ErrMalformedEvent},
		"wrong wire type":      {binaryEvent(id[:], "server_reported", 1, payload(varintField(1, 7))), ErrMalformedEvent},
		"bool out of range":    {binaryEvent(id[:], "server_reported", 1, payload(sid, varintField(3, 2))), ErrMalformedEvent},
		"nanoseconds too many": {binaryEvent(id[:], "server_reported", 1, payload(sid, field(7, varintField(2, 1e9)))), ErrMalformedEvent},
		"unknown time field":   {binaryEvent(id[:], "server_reported", 1, payload(sid, field(7, varintField(3, 1)))), ErrMalformedEvent},
		"unknown peer field":   {binaryEvent(id[:], "server_reported", 1, payload(sid, field(9, varintField(6, 1)))), ErrMalformedEvent},
		"empty yet stats":      {binaryEvent(id[:], "server_reported", 1, payload(sid, field(9, nil), varintField(11, 1))), ErrMalformedEvent},
		"length past the end":  {binaryEvent(id[:], "server_reported", 1, []byte{9<<3 | 2, 40, 1}), ErrMalformedEvent},
		"unterminated varint":  {binaryEvent(id[:], "server_reported", 1, []byte{5 << 3, 0x80}), ErrMalformedEvent},
	} {
		if _, err := Decode(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}

	// Every proper prefix of a real event is refused (malformed, or of
	// an unknown type when cut inside the type): the payload comes last,
	// so a cut either drops it or cuts into it.
	e := randomReportEvent(t, rand.New(rand.NewPCG(7, 8)), 1)
	e.Payload = samplePayloads()[1]
	enc, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(enc) - 1 {
		if got, err := Decode(enc[:i]); err == nil {
			t.Fatalf("prefix of %d bytes: %v, %+v", i, err, got)
		}
	}
}

// FuzzDecodeReportBinary: Decode never panics on input that starts like
// a binary event, and what it accepts encodes to an event it reads back
// the same.
func FuzzDecodeReportBinary(f *testing.F) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 40 {
		e := randomReportEvent(f, rng, i)
		b, err := Encode(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != reportBinaryMarker {
			return
		}
		e, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Encode(e)
		if err != nil {
			t.Fatalf("decoded %#v, cannot encode it: %v", e, err)
		}
		back, err := Decode(again)
		if err != nil || !reflect.DeepEqual(back, e) {
			t.Fatalf("re-encoded event reads back as %#v (%v), want %#v", back, err, e)
		}
		if !back.OccurredAt.Equal(e.OccurredAt) || back.OccurredAt.Location() != time.UTC {
			t.Fatalf("occurred_at %v, want %v in UTC", back.OccurredAt, e.OccurredAt)
		}
	})
}
