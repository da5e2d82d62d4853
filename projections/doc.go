// Package projections turns the event log into read models. This file set
// holds the contracts every store implements (memory, Postgres, ClickHouse),
// the row types the API reads, the audit hash chain, and the projector that
// feeds stores from the log.
package projections
