package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// AppendReportEvent appends to dst the server_reported event of r, sent
// by its agent from ip at now, as NewEvent and EncodeAs in format f write
// it. The binary form is written straight from r: no Envelope holds the
// report boxed, and the bytes land where the caller's other reports do
// instead of in an allocation of their own (ingest writes a request's
// reports into one buffer).
func AppendReportEvent(dst []byte, r ServerReported, ip string, now time.Time, f ReportFormat) ([]byte, error) {
	actor := AgentActor(r.ServerID)
	if f != ReportsBinary {
		e, err := NewEvent(r, r.ServerID, 0, actor, ip, now)
		if err != nil {
			return dst, err
		}
		b, err := EncodeAs(e, f)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	if err := checkEnvelopeFields(r.ServerID, 0, actor, ip, now); err != nil {
		return dst, fmt.Errorf("new event %s: %w", EventServerReported, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return dst, fmt.Errorf("new event %s: generate id: %w", EventServerReported, err)
	}
	schema, _ := SchemaVersionOf(EventServerReported)
	e := Envelope{ID: id, Type: EventServerReported, SchemaVersion: schema, AggregateID: r.ServerID,
		Actor: actor, SourceIP: ip, OccurredAt: now.UTC()}
	return appendReportBinary(dst, e, r), nil
}
