package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	segjson "github.com/segmentio/encoding/json"
)

// EnvelopeVersion is the version of the envelope's wire format (field "v"),
// independent of each payload's SchemaVersion.
const EnvelopeVersion = 1

// Codec errors; check them with errors.Is.
var (
	// ErrUnknownEventType: the event type is not in the registry.
	ErrUnknownEventType = errors.New("unknown event type")
	// ErrUnsupportedSchema: the envelope version or the payload schema
	// version is newer than this code understands.
	ErrUnsupportedSchema = errors.New("unsupported schema version")
	// ErrMalformedEvent: the input is not a well-formed event.
	ErrMalformedEvent = errors.New("malformed event")
)

// wireHeader carries the envelope fields shared by both directions.
type wireHeader struct {
	V                int       `json:"v"`
	ID               uuid.UUID `json:"id"`
	Type             EventType `json:"type"`
	Schema           int       `json:"schema"`
	AggregateID      string    `json:"aggregate_id"`
	AggregateVersion int64     `json:"aggregate_version"`
	Actor            string    `json:"actor"`
	SourceIP         string    `json:"source_ip"`
	OccurredAt       time.Time `json:"occurred_at"`
}

// wireOut is what Encode writes: the payload is marshalled in the same pass.
type wireOut struct {
	wireHeader
	Payload Payload `json:"payload"`
}

// wireIn is what Decode reads: the payload is kept raw and decoded once, into
// the type the registry names.
type wireIn struct {
	wireHeader
	Payload json.RawMessage `json:"payload"`
}

// Encode serialises an envelope: server_reported in its binary form (see
// appendReportBinary), every other type as JSON. It refuses envelopes it
// could not decode again: unknown type, type/payload mismatch, a schema
// version other than the current one, or a missing id.
func Encode(e Envelope) ([]byte, error) { return EncodeAs(e, ReportsBinary) }

// EncodeAs is Encode with server_reported events in format f.
func EncodeAs(e Envelope, f ReportFormat) ([]byte, error) {
	if f > ReportsJSON {
		return nil, fmt.Errorf("encode event %s: unknown %v", e.Type, f)
	}
	if e.Payload == nil {
		return nil, fmt.Errorf("encode event %s: %w: payload is missing", e.Type, ErrMalformedEvent)
	}
	if pt := e.Payload.EventType(); pt != e.Type {
		return nil, fmt.Errorf("encode event %s: %w: payload is of type %s", e.Type, ErrMalformedEvent, pt)
	}
	entry, ok := registry[e.Type]
	if !ok {
		return nil, fmt.Errorf("encode event %q: %w", e.Type, ErrUnknownEventType)
	}
	switch {
	case e.SchemaVersion > entry.schema:
		return nil, fmt.Errorf("encode event %s: %w: schema %d, this build knows up to %d",
			e.Type, ErrUnsupportedSchema, e.SchemaVersion, entry.schema)
	case e.SchemaVersion != entry.schema:
		return nil, fmt.Errorf("encode event %s: %w: schema %d, current is %d",
			e.Type, ErrMalformedEvent, e.SchemaVersion, entry.schema)
	case e.ID == uuid.Nil:
		return nil, fmt.Errorf("encode event %s: %w: id is missing", e.Type, ErrMalformedEvent)
	}
	if r, ok := e.Payload.(ServerReported); ok && f == ReportsBinary {
		// Written on the stack, then copied out at its size: the event
		// lives until the log has it, and most reports are under 200
		// bytes.
		var buf [512]byte
		return bytes.Clone(appendReportBinary(buf[:0], e, r)), nil
	}
	out := wireOut{
		wireHeader: wireHeader{
			V:                EnvelopeVersion,
			ID:               e.ID,
			Type:             e.Type,
			Schema:           e.SchemaVersion,
			AggregateID:      e.AggregateID,
			AggregateVersion: e.AggregateVersion,
			Actor:            e.Actor,
			SourceIP:         e.SourceIP,
			OccurredAt:       e.OccurredAt.UTC(),
		},
		Payload: e.Payload,
	}
	b, err := segjson.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode event %s %s: %w", e.Type, e.ID, err)
	}
	return b, nil
}

// Decode parses an event written by Encode, or by an earlier build (which
// wrote server_reported as JSON too). It fails with ErrMalformedEvent,
// ErrUnknownEventType or ErrUnsupportedSchema (wrapped); it never drops
// unknown content silently: unknown fields, in the envelope or the payload,
// are malformed (a writer adding fields must bump the schema version).
func Decode(b []byte) (Envelope, error) {
	return decode(b, false)
}

// DecodeOwned is Decode for input the caller hands over: b must never be
// modified afterwards, because the event's strings may share its memory
// instead of a copy of it. The projections decode what they fetched
// this way: one copy of every report fewer (docs/PERFORMANCE.md).
func DecodeOwned(b []byte) (Envelope, error) {
	return decode(b, true)
}

func decode(b []byte, owned bool) (Envelope, error) {
	if len(b) > 0 && b[0] == reportBinaryMarker {
		return decodeReportBinary(b, owned)
	}
	if e, ok := decodeReportFast(b); ok {
		return e, nil
	}
	if e, ok := decodeEnvelopeFast(b); ok {
		return e, nil
	}
	return decodeAny(b)
}

// decodeAny decodes any event: the envelope with the payload kept raw,
// then the payload into the type the registry names.
func decodeAny(b []byte) (Envelope, error) {
	var in wireIn
	// The raw payload may point into b: it is decoded below, before Decode
	// returns, into values that copy their strings.
	if err := strictParse(b, &in, segjson.DontCopyRawMessage); err != nil {
		if v := peekVersion(b); v > EnvelopeVersion {
			return Envelope{}, unsupportedEnvelope(v)
		}
		return Envelope{}, fmt.Errorf("decode event: %w: %w", ErrMalformedEvent, err)
	}
	if err := checkHeader(in.wireHeader); err != nil {
		return Envelope{}, err
	}
	if len(in.Payload) == 0 || string(in.Payload) == "null" {
		return Envelope{}, fmt.Errorf("decode event %s %s: %w: payload is missing", in.Type, in.ID, ErrMalformedEvent)
	}
	p, err := registry[in.Type].decode(in.Payload)
	if err != nil {
		return Envelope{}, fmt.Errorf("decode event %s %s: payload: %w: %w", in.Type, in.ID, ErrMalformedEvent, err)
	}
	return in.envelope(p), nil
}

// envelope is the decoded envelope of h with payload p.
func (h wireHeader) envelope(p Payload) Envelope {
	return Envelope{
		ID:               h.ID,
		Type:             h.Type,
		SchemaVersion:    h.Schema,
		AggregateID:      h.AggregateID,
		AggregateVersion: h.AggregateVersion,
		Actor:            h.Actor,
		SourceIP:         h.SourceIP,
		OccurredAt:       h.OccurredAt.UTC(),
		Payload:          p,
	}
}

// checkHeader validates the envelope fields before the payload is decoded.
func checkHeader(h wireHeader) error {
	switch {
	case h.V > EnvelopeVersion:
		return unsupportedEnvelope(h.V)
	case h.V < 1:
		return fmt.Errorf("decode event: %w: envelope version %d is missing or invalid", ErrMalformedEvent, h.V)
	case h.ID == uuid.Nil:
		return fmt.Errorf("decode event %s: %w: id is missing", h.Type, ErrMalformedEvent)
	}
	entry, ok := registry[h.Type]
	if !ok {
		return fmt.Errorf("decode event %s: %w: %q", h.ID, ErrUnknownEventType, h.Type)
	}
	switch {
	case h.Schema > entry.schema:
		return fmt.Errorf("decode event %s %s: %w: schema %d, this build knows up to %d",
			h.Type, h.ID, ErrUnsupportedSchema, h.Schema, entry.schema)
	case h.Schema < 1:
		return fmt.Errorf("decode event %s %s: %w: schema version %d is missing or invalid",
			h.Type, h.ID, ErrMalformedEvent, h.Schema)
	}
	return nil
}

// peekVersion reads only the envelope version, so that input from a newer
// writer whose shape we cannot parse is reported as unsupported rather than
// malformed. It returns 0 when there is no readable version.
func peekVersion(b []byte) int {
	var v struct {
		V int `json:"v"`
	}
	if json.Unmarshal(b, &v) != nil {
		return 0
	}
	return v.V
}

func unsupportedEnvelope(v int) error {
	return fmt.Errorf("decode event: %w: envelope version %d, this build knows up to %d",
		ErrUnsupportedSchema, v, EnvelopeVersion)
}
