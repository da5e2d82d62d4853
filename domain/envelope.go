package domain

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
)

// EventType names an event. Values are snake_case and double as the action of
// the event's audit row.
type EventType string

// Payload is the body of an event. Every payload type is a plain value (not a
// pointer) registered in the codec registry.
type Payload interface {
	// EventType is the type this payload is recorded as.
	EventType() EventType
	// AuditTarget is what the event acts on, as shown in the audit log
	// ("<server_id>", "<server_id>/<peer>", a user's email, ...).
	AuditTarget() string
}

// Actor values that are not user emails.
const (
	// ActorSystem is the actor of events the control plane emits on its own.
	ActorSystem = "system"
	// actorAgentPrefix prefixes the server id of an agent actor.
	actorAgentPrefix = "agent:"
)

// AgentActor returns the actor string of the agent running on serverID.
func AgentActor(serverID string) string { return actorAgentPrefix + serverID }

// Envelope is the single wrapper of every event in the log.
type Envelope struct {
	// ID is a UUIDv7, so ids sort by creation time.
	ID uuid.UUID
	// Type equals Payload.EventType().
	Type EventType
	// SchemaVersion is the version of the payload's shape for this Type.
	SchemaVersion int
	// AggregateID identifies the aggregate (stream) the event belongs to.
	AggregateID string
	// AggregateVersion is the aggregate version the writer saw before this
	// event: 0 for a new aggregate, and always 0 for unversioned events
	// (see AggregateKindOf).
	AggregateVersion int64
	// Actor is a user's email, AgentActor(serverID) or ActorSystem.
	Actor string
	// SourceIP is the client address the command came from; empty for
	// system events.
	SourceIP string
	// OccurredAt is when the event was decided, always UTC.
	OccurredAt time.Time
	// Payload is the event body.
	Payload Payload
}

// NewEvent wraps payload in an Envelope with a fresh UUIDv7, the registry's
// current schema version for its type and now normalised to UTC. seenVersion
// is the aggregate version the decision was made against.
func NewEvent(payload Payload, aggregateID string, seenVersion int64, actor, ip string, now time.Time) (Envelope, error) {
	if payload == nil {
		return Envelope{}, fmt.Errorf("new event: %w", invalidf("event payload is missing"))
	}
	e, err := newEnvelope(payload.EventType(), aggregateID, seenVersion, actor, ip, now)
	if err != nil {
		return Envelope{}, err
	}
	e.Payload = payload
	return e, nil
}

// newEnvelope is NewEvent without the payload, for an event of type t.
func newEnvelope(t EventType, aggregateID string, seenVersion int64, actor, ip string, now time.Time) (Envelope, error) {
	schema, ok := SchemaVersionOf(t)
	if !ok {
		return Envelope{}, fmt.Errorf("new event %q: %w", t, ErrUnknownEventType)
	}
	if err := checkEnvelopeFields(aggregateID, seenVersion, actor, ip, now); err != nil {
		return Envelope{}, fmt.Errorf("new event %s: %w", t, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Envelope{}, fmt.Errorf("new event %s: generate id: %w", t, err)
	}
	return Envelope{
		ID:               id,
		Type:             t,
		SchemaVersion:    schema,
		AggregateID:      aggregateID,
		AggregateVersion: seenVersion,
		Actor:            actor,
		SourceIP:         ip,
		OccurredAt:       now.UTC(),
	}, nil
}

func checkEnvelopeFields(aggregateID string, seenVersion int64, actor, ip string, now time.Time) error {
	switch {
	case strings.TrimSpace(aggregateID) == "":
		return invalidf("event aggregate id is empty")
	case seenVersion < 0:
		return invalidf("event aggregate version %d is negative", seenVersion)
	case strings.TrimSpace(actor) == "":
		return invalidf("event actor is empty")
	case now.IsZero():
		return invalidf("event time is not set")
	}
	if ip != "" {
		if _, err := netip.ParseAddr(ip); err != nil {
			return invalidf("event source IP %q is not an IP address", ip)
		}
	}
	return nil
}

// AuditAction is the action of the event's audit row: its type.
func (e Envelope) AuditAction() string { return string(e.Type) }

// AuditTarget is the target of the event's audit row, or "" when it has no
// payload.
func (e Envelope) AuditTarget() string {
	if e.Payload == nil {
		return ""
	}
	return e.Payload.AuditTarget()
}
