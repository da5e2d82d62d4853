package memstate

import (
	"context"
	"errors"
	"fmt"

	"github.com/sentrazone/sentrazone/projections"
)

// Audit returns the rows matching f, newest first, skipping offset of them
// and returning at most limit; limit <= 0 returns all.
func (s *Store) Audit(ctx context.Context, f projections.AuditFilter, limit, offset int) ([]projections.AuditRow, error) {
	out := []projections.AuditRow{}
	skip := max(offset, 0)
	err := s.ExportAudit(ctx, f, func(r projections.AuditRow) error {
		if skip > 0 {
			skip--
			return nil
		}
		out = append(out, r)
		if limit > 0 && len(out) == limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

// errStop ends an iteration early without an error.
var errStop = errors.New("stop")

// ExportAudit calls fn for every row matching f, newest first. It iterates
// over a snapshot taken under the read lock, but calls fn without it, so a
// slow consumer does not block the projection.
func (s *Store) ExportAudit(ctx context.Context, f projections.AuditFilter, fn func(projections.AuditRow) error) error {
	rows := s.auditSnapshot()
	for i := rows.len() - 1; i >= 0; i-- {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memstate: export audit: %w", err)
		}
		if r := rows.at(i); matches(f, r) {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// AuditChain calls fn for every row, oldest first.
func (s *Store) AuditChain(ctx context.Context, fn func(projections.AuditRow) error) error {
	rows := s.auditSnapshot()
	for i := range rows.len() {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memstate: audit chain: %w", err)
		}
		if err := fn(rows.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// auditSnapshot returns the rows applied so far. Rows are append-only and
// never modified, and Reset replaces the log, so the snapshot stays valid
// while writers go on.
func (s *Store) auditSnapshot() auditLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.audit.view()
}

// matches reports whether r passes f: exact actor and action, From
// inclusive, To exclusive.
func matches(f projections.AuditFilter, r projections.AuditRow) bool {
	switch {
	case f.Actor != "" && r.Actor != f.Actor,
		f.Action != "" && r.Action != f.Action,
		!f.From.IsZero() && r.CreatedAt.Before(f.From),
		!f.To.IsZero() && !r.CreatedAt.Before(f.To):
		return false
	}
	return true
}
