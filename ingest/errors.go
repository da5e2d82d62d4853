// Package ingest is Sentrazone's write side: agent reports into the reports
// topic, and admin commands decided against the read model and appended to
// the events topic.
package ingest

import "errors"

// Authentication and authorization failures of the write side. The API maps
// them to 401 and 403.
var (
	// ErrBadCredentials: unknown email or wrong password, never said apart.
	ErrBadCredentials = errors.New("invalid email or password")
	// ErrUnauthenticated: the agent token is missing or unknown.
	ErrUnauthenticated = errors.New("invalid agent token")
	// ErrForbidden: a per-server agent token used for another server.
	ErrForbidden = errors.New("agent token is not valid for this server")
)
