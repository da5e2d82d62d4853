package domain

import (
	"errors"
	"fmt"
)

// ErrorKind classifies a domain error so that the API can map it to an HTTP
// status in one place. The string value is stable and is also used as the code
// of a CommandRejected event.
type ErrorKind string

// The kinds of domain error.
const (
	// KindInvalid: the command is malformed or breaks a validation rule (400).
	KindInvalid ErrorKind = "invalid"
	// KindConflict: the command clashes with existing state, e.g. a duplicate
	// name or an aggregate that already exists (409).
	KindConflict ErrorKind = "conflict"
	// KindNotFound: the command targets something that does not exist (404).
	KindNotFound ErrorKind = "not_found"
	// KindFull: a resource is exhausted, e.g. no free address left in a
	// server's subnet (409).
	KindFull ErrorKind = "full"
)

// Error is a domain rule violation. Message is written for humans and is safe
// to show to API clients.
type Error struct {
	Kind    ErrorKind
	Message string
}

// Error returns the human readable message.
func (e *Error) Error() string { return e.Message }

// IsKind reports whether err is, or wraps, a *Error of the given kind.
func IsKind(err error, kind ErrorKind) bool {
	var de *Error
	return errors.As(err, &de) && de.Kind == kind
}

// ErrVersionConflict is returned by Apply when an event was decided against a
// different aggregate version than the one being applied to: another writer
// got there first, so the event is stale and is not applied.
var ErrVersionConflict = errors.New("aggregate version conflict")

// ErrUnexpectedEvent is returned by Apply when an event does not belong to the
// aggregate it is applied to (wrong type or wrong aggregate id).
var ErrUnexpectedEvent = errors.New("event does not belong to this aggregate")

func newError(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) *Error {
	return newError(KindInvalid, format, args...)
}

func conflictf(format string, args ...any) *Error {
	return newError(KindConflict, format, args...)
}

func notFoundf(format string, args ...any) *Error {
	return newError(KindNotFound, format, args...)
}

// checkVersion returns ErrVersionConflict (wrapped with both versions) when an
// event's expected version differs from the aggregate's current one.
func checkVersion(env Envelope, current int64) error {
	if env.AggregateVersion != current {
		return fmt.Errorf("%w: event %s was decided at version %d, aggregate %q is at version %d",
			ErrVersionConflict, env.Type, env.AggregateVersion, env.AggregateID, current)
	}
	return nil
}
