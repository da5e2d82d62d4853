package domain

import "errors"

// Administrative event types. All are unversioned observations.
const (
	EventAuditExported   EventType = "audit_exported"
	EventSettingsChanged EventType = "settings_changed"
	EventCommandRejected EventType = "command_rejected"
)

// AuditLogTarget is the audit target of events about the audit log itself.
const AuditLogTarget = "audit_log"

// AuditExported records a CSV export of the audit log. AggregateID:
// AuditLogTarget.
type AuditExported struct {
	// Filters are the query filters of the export (e.g. "actor", "since").
	Filters map[string]string `json:"filters"`
	Rows    int64             `json:"rows"`
}

// EventType implements Payload.
func (AuditExported) EventType() EventType { return EventAuditExported }

// AuditTarget implements Payload: AuditLogTarget.
func (AuditExported) AuditTarget() string { return AuditLogTarget }

// SettingsChanged records a new value for a setting (last writer wins).
// AggregateID: the key.
type SettingsChanged struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// EventType implements Payload.
func (SettingsChanged) EventType() EventType { return EventSettingsChanged }

// AuditTarget implements Payload: the key.
func (e SettingsChanged) AuditTarget() string { return e.Key }

// CommandRejected records an admin command the domain refused, so auditors
// see attempts as well as changes. AggregateID: the target.
type CommandRejected struct {
	// Command names the refused command, e.g. "create_peer".
	Command string `json:"command"`
	// Target is what the command aimed at, in the same form as the target of
	// the event it would have produced.
	Target string `json:"target"`
	// Code is the ErrorKind of the refusal.
	Code ErrorKind `json:"code"`
	// Reason is the human readable message.
	Reason string `json:"reason"`
}

// EventType implements Payload.
func (CommandRejected) EventType() EventType { return EventCommandRejected }

// AuditTarget implements Payload.
func (e CommandRejected) AuditTarget() string { return e.Target }

// NewCommandRejected builds the rejection of command on target from the error
// a Decide function returned. Errors that are not a *Error get code
// KindInvalid.
func NewCommandRejected(command, target string, err error) CommandRejected {
	r := CommandRejected{Command: command, Target: target, Code: KindInvalid}
	var de *Error
	if errors.As(err, &de) {
		r.Code, r.Reason = de.Kind, de.Message
	} else if err != nil {
		r.Reason = err.Error()
	}
	return r
}
