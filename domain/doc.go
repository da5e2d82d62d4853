// Package domain holds the rules of Sentrazone: the events that make up the
// log, their wire codec, the server (with its peers) and user aggregates, address
// allocation and the domain error model.
//
// Everything here is pure: no I/O, no clocks other than the ones passed in, and
// no imports beyond the standard library and a small allow-list (see
// layering_test.go).
//
// The flow of a command is always the same:
//
//  1. load the aggregate's current state (from a read model),
//  2. call a Decide function, which validates the command and returns an event
//     payload or a *Error,
//  3. wrap the payload with NewEvent, passing the aggregate version that was seen,
//  4. append the envelope to the log; projections call Apply in log order and
//     reject stale writes with ErrVersionConflict.
package domain
