package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ApplyEvents applies a batch of the events topic in one transaction; see
// StateStore. A versioned event that does not apply (stale version,
// unknown server or peer, a clash with an existing peer) changes nothing
// and gets no audit row; every other event gets one. A second copy of an
// unversioned event (same id) is skipped. Runs of registrations and
// observations are applied together (state_event_runs.go); should one
// meet an audit row already there, the batch is applied again, event by
// event.
func (s *StateStore) ApplyEvents(ctx context.Context, partition int, batch []projections.Decoded) error {
	err := s.applyEvents(ctx, partition, batch, true)
	if errors.Is(err, errAuditTaken) {
		err = s.applyEvents(ctx, partition, batch, false)
	}
	return err
}

// applyEvents applies batch, with runs together when runs is true.
func (s *StateStore) applyEvents(ctx context.Context, partition int, batch []projections.Decoded, runs bool) error {
	return s.inTx(ctx, "apply events", func(tx pgx.Tx) error {
		next, err := lockOffset(ctx, tx, eventstore.TopicEvents, partition)
		if err != nil {
			return err
		}
		fresh, next := unapplied(batch, next)
		if len(fresh) == 0 {
			return nil
		}
		w := &eventWriter{tx: tx}
		for len(fresh) > 0 {
			n := 0
			if runs { // applied one by one, the batch needs no measuring
				n = runLength(fresh)
			}
			if n > 1 {
				if err := w.applyRun(ctx, fresh[:n]); err != nil {
					return fmt.Errorf("events at offsets %d to %d: %w", fresh[0].Offset, fresh[n-1].Offset, err)
				}
				fresh = fresh[n:]
				continue
			}
			rec := fresh[0]
			if err := w.apply(ctx, rec.Event); err != nil {
				return fmt.Errorf("event %s at offset %d: %w", rec.Event.Type, rec.Offset, err)
			}
			fresh = fresh[1:]
		}
		_, err = tx.Exec(ctx, saveOffsetSQL, StateProjection, eventstore.TopicEvents, partition, next)
		return err
	})
}

// eventWriter applies the events of one transaction.
type eventWriter struct {
	tx pgx.Tx
	// last is the newest audit row, loaded on first use; the offset lock
	// keeps other writers out until the transaction ends.
	last   projections.AuditRow
	loaded bool
}

// apply applies one event and writes its audit row.
func (w *eventWriter) apply(ctx context.Context, env domain.Envelope) error {
	var (
		target string
		ok     bool
		err    error
	)
	switch domain.AggregateKindOf(env.Type) {
	case domain.AggregateServer:
		target, ok, err = w.applyServerEvent(ctx, env)
	case domain.AggregateUser:
		target, ok, err = w.applyUserCreated(ctx, env)
	default:
		return w.applyObservation(ctx, env)
	}
	if err != nil || !ok {
		return err
	}
	_, err = w.audit(ctx, env, target)
	return err
}

// applyObservation audits an unversioned event and applies it, unless it
// is a report (not an events-topic record) or a copy of an audited event.
func (w *eventWriter) applyObservation(ctx context.Context, env domain.Envelope) error {
	if env.Type == domain.EventServerReported {
		return nil
	}
	fresh, err := w.audit(ctx, env, env.AuditTarget())
	if err != nil || !fresh {
		return err
	}
	if p, ok := env.Payload.(domain.SettingsChanged); ok {
		_, err := w.tx.Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
			p.Key, p.Value, env.OccurredAt)
		if err != nil {
			return fmt.Errorf("upsert setting %q: %w", p.Key, err)
		}
	}
	return nil
}

// applyUserCreated inserts a user unless the event is stale (the email is
// taken, or the event saw a version other than 0).
func (w *eventWriter) applyUserCreated(ctx context.Context, env domain.Envelope) (string, bool, error) {
	p, ok := env.Payload.(domain.UserCreated)
	if !ok || env.AggregateVersion != 0 || p.Email != env.AggregateID {
		return "", false, nil
	}
	tag, err := w.tx.Exec(ctx, `INSERT INTO users (id, email, role, password_hash_sealed, key_id, version, created_at)
		VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT DO NOTHING`,
		p.UserID, p.Email, string(p.Role), nonNil(p.PasswordHashSealed), p.KeyID, env.OccurredAt)
	if err != nil {
		return "", false, fmt.Errorf("insert user %q: %w", p.Email, err)
	}
	return env.AuditTarget(), tag.RowsAffected() == 1, nil
}

// audit inserts the audit row of env chained to the newest one. It returns
// false, writing nothing, when env's id already has a row.
func (w *eventWriter) audit(ctx context.Context, env domain.Envelope, target string) (bool, error) {
	if !w.loaded {
		b := &pgx.Batch{}
		w.queueLoadLast(b)
		if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
			return false, err
		}
	}
	r := projections.NewAuditRow(w.last, env, target)
	n, err := w.insertAudit(ctx, []projections.AuditRow{r})
	if err != nil {
		return false, fmt.Errorf("insert audit row %d: %w", r.ID, err)
	}
	if n == 0 {
		return false, nil
	}
	w.last = r
	return true, nil
}

// insertAudit inserts rows, chained beforehand, skipping those whose
// event has a row already, and returns how many it inserted.
func (w *eventWriter) insertAudit(ctx context.Context, rows []projections.AuditRow) (int64, error) {
	var c auditColumns
	for _, r := range rows {
		c.add(r)
	}
	tag, err := w.tx.Exec(ctx, insertAuditRowsSQL, c.id, c.eventID, c.actor, c.action, c.target, c.ip, c.at,
		c.prevHash, c.hash)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// auditColumns holds the rows of insertAuditRowsSQL, a slice per column.
type auditColumns struct {
	id                                 []int64
	eventID, actor, action, target, ip []string
	at                                 []time.Time
	prevHash, hash                     [][]byte
}

func (c *auditColumns) add(r projections.AuditRow) {
	c.id = append(c.id, r.ID)
	c.eventID = append(c.eventID, r.EventID)
	c.actor = append(c.actor, r.Actor)
	c.action = append(c.action, r.Action)
	c.target = append(c.target, r.Target)
	c.ip = append(c.ip, r.IP)
	c.at = append(c.at, r.CreatedAt)
	c.prevHash = append(c.prevHash, r.PrevHash)
	c.hash = append(c.hash, r.Hash)
}

const insertAuditRowsSQL = `INSERT INTO audit_log (id, event_id, actor, action, target, ip, created_at, prev_hash, hash)
	SELECT * FROM unnest($1::int8[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
		$7::timestamptz[], $8::bytea[], $9::bytea[])
	ON CONFLICT (event_id) DO NOTHING`

// queueLoadLast queues the load of the newest audit row into b, unless it
// is loaded.
func (w *eventWriter) queueLoadLast(b *pgx.Batch) {
	if w.loaded {
		return
	}
	b.Queue(`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).QueryRow(func(r pgx.Row) error {
		err := r.Scan(&w.last.ID, &w.last.Hash)
		if err != nil && !errNoRow(err) {
			return fmt.Errorf("load last audit row: %w", err)
		}
		w.loaded = true
		return nil
	})
}

// nonNil returns b, or an empty slice for nil: NOT NULL bytea columns.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// unapplied returns the records of batch at or after next (those no
// replica has applied yet) and the offset after the last of them.
func unapplied(batch []projections.Decoded, next int64) ([]projections.Decoded, int64) {
	i := 0
	for i < len(batch) && batch[i].Offset < next {
		i++
	}
	fresh := batch[i:]
	if len(fresh) > 0 {
		next = fresh[len(fresh)-1].Offset + 1
	}
	return fresh, next
}
