package domain

import (
	"bytes"
	"errors"
	"slices"

	segjson "github.com/segmentio/encoding/json"
)

// AggregateKind says which aggregate, if any, an event type is applied to.
type AggregateKind string

// Aggregate kinds.
const (
	// AggregateNone marks observations (reports, logins, rejections, ...):
	// they are appended unconditionally with AggregateVersion 0 and are not
	// applied to an aggregate.
	AggregateNone AggregateKind = ""
	// AggregateServer events are applied with (*Server).Apply; their
	// AggregateID is the server id.
	AggregateServer AggregateKind = "server"
	// AggregateUser events are applied with (*User).Apply; their AggregateID
	// is the user's lowercased email.
	AggregateUser AggregateKind = "user"
)

// registryEntry describes one event type the codec knows.
type registryEntry struct {
	schema int           // current schema version
	kind   AggregateKind // aggregate the event is applied to
	decode func(raw []byte) (Payload, error)
}

// registry maps every known event type to its entry. It is built once and
// never written afterwards, so concurrent reads are safe.
var registry = buildRegistry()

func buildRegistry() map[EventType]registryEntry {
	r := make(map[EventType]registryEntry)
	add := func(t EventType, e registryEntry) { r[t] = e }
	add(entryFor[ServerRegistered](1, AggregateServer))
	add(entryFor[ServerReported](1, AggregateNone))
	add(entryFor[WGClientCreated](1, AggregateServer))
	add(entryFor[WGClientEnabled](1, AggregateServer))
	add(entryFor[WGClientDisabled](1, AggregateServer))
	add(entryFor[WGClientDeleted](1, AggregateServer))
	add(entryFor[UserCreated](1, AggregateUser))
	add(entryFor[LoginSucceeded](1, AggregateNone))
	add(entryFor[LoginFailed](1, AggregateNone))
	add(entryFor[AuditExported](1, AggregateNone))
	add(entryFor[SettingsChanged](1, AggregateNone))
	add(entryFor[CommandRejected](1, AggregateNone))
	return r
}

// entryFor builds the registry entry of payload type T.
func entryFor[T Payload](schema int, kind AggregateKind) (EventType, registryEntry) {
	var zero T
	return zero.EventType(), registryEntry{schema: schema, kind: kind, decode: decodeAs[T]}
}

// decodeAs unmarshals raw into a fresh T, refusing fields T does not have.
// Older schema versions would get an upcaster here; every type is still at
// version 1.
func decodeAs[T Payload](raw []byte) (Payload, error) {
	var p T
	if err := strictUnmarshal(raw, &p); err != nil {
		return nil, err
	}
	return p, nil
}

// EventTypes returns every registered event type, sorted.
func EventTypes() []EventType {
	out := make([]EventType, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// SchemaVersionOf returns the current schema version of t, and false when t
// is not a known event type.
func SchemaVersionOf(t EventType) (int, bool) {
	e, ok := registry[t]
	return e.schema, ok
}

// AggregateKindOf returns the aggregate events of type t are applied to;
// AggregateNone for observations and unknown types.
func AggregateKindOf(t EventType) AggregateKind {
	return registry[t].kind
}

// strictUnmarshal decodes one JSON value into v and fails on unknown fields
// and on anything after the value, so a writer's data is never dropped
// silently. It uses segmentio/encoding/json, which reads the bytes in one
// pass instead of scanning them first as json.Decoder does: several times
// faster on the reports the projections read back (docs/PERFORMANCE.md).
// Strings are copied, so v never points into b.
func strictUnmarshal(b []byte, v any) error {
	return strictParse(b, v, 0)
}

// strictParse is strictUnmarshal with extra segmentio parse flags.
func strictParse(b []byte, v any, flags segjson.ParseFlags) error {
	rest, err := segjson.Parse(b, v, flags|segjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
