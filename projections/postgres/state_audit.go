package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sentrazone/sentrazone/projections"
)

const (
	auditSelectSQL  = `SELECT id, event_id::text, actor, action, target, ip, created_at, prev_hash, hash FROM audit_log`
	exportSelectSQL = `SELECT id, actor, action, target, ip, created_at FROM audit_log`
)

// auditQuery builds a WHERE clause from f and extra conditions; args are
// numbered in order.
type auditQuery struct {
	conds []string
	args  []any
}

// add appends a condition whose single parameter is written as "?".
func (q *auditQuery) add(cond string, arg any) {
	q.args = append(q.args, arg)
	q.conds = append(q.conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(q.args)), 1))
}

// newAuditQuery starts a query with the conditions of f: exact actor and
// action, From inclusive, To exclusive.
func newAuditQuery(f projections.AuditFilter) *auditQuery {
	q := &auditQuery{}
	if f.Actor != "" {
		q.add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q.add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q.add("created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q.add("created_at < ?", f.To)
	}
	return q
}

// sql returns the statement with the conditions and tail appended.
func (q *auditQuery) sql(tail string) string {
	return q.sqlFrom(auditSelectSQL, tail)
}

// sqlFrom is sql with another SELECT ... FROM.
func (q *auditQuery) sqlFrom(sel, tail string) string {
	where := ""
	if len(q.conds) > 0 {
		where = " WHERE " + strings.Join(q.conds, " AND ")
	}
	return sel + where + " " + tail
}

// scanExportRow reads one row of exportSelectSQL.
func scanExportRow(row pgx.CollectableRow) (projections.AuditRow, error) {
	var r projections.AuditRow
	err := row.Scan(&r.ID, &r.Actor, &r.Action, &r.Target, &r.IP, &r.CreatedAt)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

// scanAuditRow reads one row of auditSelectSQL.
func scanAuditRow(row pgx.CollectableRow) (projections.AuditRow, error) {
	var r projections.AuditRow
	err := row.Scan(&r.ID, &r.EventID, &r.Actor, &r.Action, &r.Target, &r.IP, &r.CreatedAt, &r.PrevHash, &r.Hash)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

// Audit returns the rows matching f, newest first, skipping offset of them
// and returning at most limit; limit <= 0 returns all.
func (s *StateStore) Audit(ctx context.Context, f projections.AuditFilter, limit, offset int) ([]projections.AuditRow, error) {
	q := newAuditQuery(f)
	tail := "ORDER BY id DESC"
	if limit > 0 {
		q.args = append(q.args, limit)
		tail += " LIMIT $" + strconv.Itoa(len(q.args))
	}
	q.args = append(q.args, max(offset, 0))
	tail += " OFFSET $" + strconv.Itoa(len(q.args))
	out, err := queryAll(ctx, s.pool, scanAuditRow, q.sql(tail), q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres state: audit: %w", err)
	}
	return out, nil
}

// ExportAudit calls fn for every row matching f, newest first. It reads
// exportPage rows at a time by id and calls fn with no query open, so a
// slow consumer holds no connection (the next page is read meanwhile).
// Its rows have no event id and no hashes.
func (s *StateStore) ExportAudit(ctx context.Context, f projections.AuditFilter, fn func(projections.AuditRow) error) error {
	return s.pages(ctx, f, exportSelectSQL, scanExportRow, "id < ?", "ORDER BY id DESC", math.MaxInt64, fn)
}

// AuditChain calls fn for every row, oldest first, a page at a time.
func (s *StateStore) AuditChain(ctx context.Context, fn func(projections.AuditRow) error) error {
	return s.pages(ctx, projections.AuditFilter{}, auditSelectSQL, scanAuditRow, "id > ?", "ORDER BY id", 0, fn)
}

// pages walks the rows matching f in pages of sel's columns, read by scan:
// after is the keyset condition on the last id seen, starting from first.
// While fn takes the rows of one page, the next one is read: the database
// and the consumer work at once.
func (s *StateStore) pages(ctx context.Context, f projections.AuditFilter, sel string, scan pgx.RowToFunc[projections.AuditRow],
	after, order string, first int64, fn func(projections.AuditRow) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := func(last int64) ([]projections.AuditRow, error) {
		q := newAuditQuery(f)
		q.add(after, last)
		rows, err := s.pool.Query(ctx, q.sqlFrom(sel, order+" LIMIT "+strconv.Itoa(exportPage)), q.args...)
		if err == nil {
			var page []projections.AuditRow
			page, err = pgx.AppendRows(make([]projections.AuditRow, 0, exportPage), rows, scan)
			if err == nil {
				return page, nil
			}
		}
		return nil, fmt.Errorf("postgres state: read audit log after id %d: %w", last, err)
	}
	type result struct {
		page []projections.AuditRow
		err  error
	}
	page, err := read(first)
	for err == nil {
		var next chan result
		if len(page) == exportPage {
			next = make(chan result, 1)
			last := page[len(page)-1].ID
			go func() {
				p, err := read(last)
				next <- result{p, err}
			}()
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err // the deferred cancel stops the read under way
			}
		}
		if next == nil {
			return nil
		}
		res := <-next
		page, err = res.page, res.err
	}
	return err
}
