package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Runs. A fleet's agents register their servers on their first reports,
// and logins and failed attempts are recorded as they happen: the events
// topic carries long stretches of server registrations and observations.
// Applied one by one, each costs two statements (the row, its audit row),
// each a round trip. A run of such events is applied with two statements
// in all: every server row of the run at once, then every audit row. The
// outcome is the one of applying them in order: a registration applies
// when its server is new (the first valid one for an id in the run), an
// observation when its id has no audit row yet, and the audit rows chain
// in log order.
//
// An audit row already there for an event of the run (a producer's retry
// appended an observation twice, in this batch or an earlier one) would
// leave a hole in the chain computed beforehand: the run's audit insert
// then fails with errAuditTaken, the transaction is rolled back and the
// batch is applied again event by event.

// errAuditTaken says an audit row of a run's event already exists.
var errAuditTaken = errors.New("an event of the run has an audit row already")

// inRun reports whether env may be applied as part of a run: a server
// registration, or an observation other than a report (not an events
// record) or a settings change (which writes a row of its own).
func inRun(env domain.Envelope) bool {
	if _, ok := env.Payload.(domain.ServerRegistered); ok {
		return true
	}
	switch domain.AggregateKindOf(env.Type) {
	case domain.AggregateServer, domain.AggregateUser:
		return false
	}
	switch env.Payload.(type) {
	case domain.ServerReported, domain.SettingsChanged:
		return false
	}
	return true
}

// runLength returns how many records from the start of recs form a run.
func runLength(recs []projections.Decoded) int {
	n := 0
	for n < len(recs) && inRun(recs[n].Event) {
		n++
	}
	return n
}

// applyRun applies a run (see runLength) and writes its audit rows.
func (w *eventWriter) applyRun(ctx context.Context, run []projections.Decoded) error {
	applied, err := w.insertServers(ctx, run)
	if err != nil {
		return err
	}
	rows := make([]projections.AuditRow, 0, len(run))
	last := w.last
	for i, rec := range run {
		env := rec.Event
		if _, ok := env.Payload.(domain.ServerRegistered); ok && !applied[i] {
			continue
		}
		last = projections.NewAuditRow(last, env, env.AuditTarget())
		rows = append(rows, last)
	}
	if len(rows) == 0 {
		return nil
	}
	if err := w.insertAuditRows(ctx, rows); err != nil {
		return err
	}
	w.last = last
	return nil
}

// insertServers inserts the servers the run's registrations name, with
// the last audit row loaded in the same round trip when it is not yet,
// and says which of run's records registered one.
func (w *eventWriter) insertServers(ctx context.Context, run []projections.Decoded) ([]bool, error) {
	var (
		cols  serverColumns
		first = map[string]int{} // server id -> the index in run of its first valid registration
	)
	for i, rec := range run {
		env := rec.Event
		p, ok := env.Payload.(domain.ServerRegistered)
		if !ok {
			continue
		}
		subnet, err := netip.ParsePrefix(p.Subnet)
		if err != nil || env.AggregateVersion != 0 || p.ServerID != env.AggregateID {
			continue // as applyRegistered: a stale or invalid registration changes nothing
		}
		if _, dup := first[p.ServerID]; dup {
			continue // the first one inserted the server, or found it there
		}
		first[p.ServerID] = i
		cols.add(p, subnet.Masked(), env.OccurredAt)
	}
	b := &pgx.Batch{}
	w.queueLoadLast(b)
	applied := make([]bool, len(run))
	if len(cols.id) > 0 {
		b.Queue(insertServersSQL, cols.id, cols.name, cols.endpoint, cols.subnet, cols.dns, cols.tokenHash, cols.at).
			Query(func(rows pgx.Rows) error {
				var id string
				_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
					applied[first[id]] = true
					return nil
				})
				return err
			})
	}
	if b.Len() == 0 {
		return applied, nil
	}
	if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("insert %d servers: %w", len(cols.id), err)
	}
	return applied, nil
}

// serverColumns holds the rows of insertServersSQL, a slice per column.
type serverColumns struct {
	id, name, endpoint, dns []string
	subnet                  []netip.Prefix
	tokenHash               [][]byte
	at                      []time.Time
}

func (c *serverColumns) add(p domain.ServerRegistered, subnet netip.Prefix, at time.Time) {
	c.id = append(c.id, p.ServerID)
	c.name = append(c.name, p.Name)
	c.endpoint = append(c.endpoint, p.Endpoint)
	c.subnet = append(c.subnet, subnet)
	c.dns = append(c.dns, p.DNS)
	c.tokenHash = append(c.tokenHash, p.AgentTokenHash)
	c.at = append(c.at, at)
}

const insertServersSQL = `INSERT INTO servers (id, name, endpoint, subnet, dns, agent_token_hash, version, registered_at)
	SELECT u.id, u.name, u.endpoint, u.subnet, u.dns, u.token_hash, 1, u.at
	FROM unnest($1::text[], $2::text[], $3::text[], $4::cidr[], $5::text[], $6::bytea[], $7::timestamptz[])
		AS u(id, name, endpoint, subnet, dns, token_hash, at)
	ON CONFLICT (id) DO NOTHING
	RETURNING id`

// insertAuditRows inserts rows, chained beforehand, in one statement; if
// any of their events has a row already it returns errAuditTaken.
func (w *eventWriter) insertAuditRows(ctx context.Context, rows []projections.AuditRow) error {
	first, last := rows[0].ID, rows[len(rows)-1].ID
	n, err := w.insertAudit(ctx, rows)
	if err != nil {
		return fmt.Errorf("insert audit rows %d to %d: %w", first, last, err)
	}
	if n != int64(len(rows)) {
		return fmt.Errorf("audit rows %d to %d: %w", first, last, errAuditTaken)
	}
	return nil
}
