package contract

import (
	"errors"
	"slices"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// auditScenario applies six unversioned events at stateT0+1s..+6s:
//
//	1 admin settings_changed   2 ops login_succeeded  3 admin settings_changed
//	4 ops settings_changed     5 admin login_succeeded 6 ops audit_exported
func (f *stateFeed) auditScenario() {
	f.t.Helper()
	const ops = "ops@example.com"
	by := func(actor string, p domain.Payload, aggID string) {
		f.recordAs(p, aggID, 0, actor, stateIP, f.tick())
	}
	by(stateAdmin, domain.SettingsChanged{Key: "a", Value: "1"}, "a")
	by(ops, domain.LoginSucceeded{UserID: "u2", Email: ops}, ops)
	by(stateAdmin, domain.SettingsChanged{Key: "b", Value: "2"}, "b")
	by(ops, domain.SettingsChanged{Key: "c", Value: "3"}, "c")
	by(stateAdmin, domain.LoginSucceeded{UserID: "u1", Email: stateAdmin}, stateAdmin)
	by(ops, domain.AuditExported{Rows: 5}, domain.AuditLogTarget)
	f.applyAll(f.events, 4)
}

// auditIDs returns the ids of rows.
func auditIDs(rows []projections.AuditRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// stateAt returns the time of audit scenario row n.
func stateAt(n int) time.Time { return stateT0.Add(time.Duration(n) * time.Second) }

// stateAuditFilters: actor and action match exactly, From is inclusive,
// To exclusive, rows come newest first.
func stateAuditFilters(f *stateFeed) {
	f.auditScenario()
	tests := []struct {
		flt  projections.AuditFilter
		want []int64
	}{
		{projections.AuditFilter{}, []int64{6, 5, 4, 3, 2, 1}},
		{projections.AuditFilter{Actor: stateAdmin}, []int64{5, 3, 1}},
		{projections.AuditFilter{Actor: "ADMIN@example.com"}, []int64{}},
		{projections.AuditFilter{Action: "settings_changed"}, []int64{4, 3, 1}},
		{projections.AuditFilter{Actor: "ops@example.com", Action: "settings_changed"}, []int64{4}},
		{projections.AuditFilter{From: stateAt(3)}, []int64{6, 5, 4, 3}},
		{projections.AuditFilter{To: stateAt(3)}, []int64{2, 1}},
		{projections.AuditFilter{From: stateAt(2), To: stateAt(5)}, []int64{4, 3, 2}},
		{projections.AuditFilter{Actor: stateAdmin, From: stateAt(2), To: stateAt(5)}, []int64{3}},
	}
	for _, tt := range tests {
		if got := auditIDs(f.audit(tt.flt, 100, 0)); !slices.Equal(got, tt.want) {
			f.t.Errorf("audit %+v = %v, want %v", tt.flt, got, tt.want)
		}
	}
}

// stateAuditPaging: offset skips matching rows, limit caps them, a limit
// of zero or less returns every row.
func stateAuditPaging(f *stateFeed) {
	f.auditScenario()
	admin := projections.AuditFilter{Actor: stateAdmin}
	tests := []struct {
		flt           projections.AuditFilter
		limit, offset int
		want          []int64
	}{
		{projections.AuditFilter{}, 2, 0, []int64{6, 5}},
		{projections.AuditFilter{}, 2, 2, []int64{4, 3}},
		{projections.AuditFilter{}, 2, 5, []int64{1}},
		{projections.AuditFilter{}, 2, 6, []int64{}},
		{projections.AuditFilter{}, 0, 0, []int64{6, 5, 4, 3, 2, 1}},
		{projections.AuditFilter{}, 0, 4, []int64{2, 1}},
		{admin, 1, 1, []int64{3}},
		{admin, 5, 1, []int64{3, 1}},
	}
	for _, tt := range tests {
		if got := auditIDs(f.audit(tt.flt, tt.limit, tt.offset)); !slices.Equal(got, tt.want) {
			f.t.Errorf("audit %+v limit %d offset %d = %v, want %v", tt.flt, tt.limit, tt.offset, got, tt.want)
		}
	}
	rows := f.audit(projections.AuditFilter{}, 1, 0)
	if r := rows[0]; r.Actor != "ops@example.com" || r.Action != "audit_exported" || r.Target != domain.AuditLogTarget ||
		r.IP != stateIP || !sameTime(r.CreatedAt, stateAt(6)) || r.EventID != f.events[5].Event.ID.String() || len(r.Hash) == 0 {
		f.t.Fatalf("newest row = %+v", r)
	}
}

// stateExportAudit: the export yields every matching row newest first,
// across more rows than a store reads at once, and stops on fn's error.
func stateExportAudit(f *stateFeed) {
	const n = 5432 // more than the Postgres store reads in one page
	for i := range n {
		actor := stateAdmin
		if i%3 == 0 {
			actor = "ops@example.com"
		}
		f.recordAs(domain.SettingsChanged{Key: "k", Value: "v"}, "k", 0, actor, "", stateT0.Add(time.Duration(i)*time.Millisecond))
	}
	f.applyAll(f.events, 500)
	export := func(flt projections.AuditFilter) []int64 {
		var got []int64
		err := f.store.ExportAudit(f.ctx, flt, func(r projections.AuditRow) error {
			got = append(got, r.ID)
			return nil
		})
		if err != nil {
			f.t.Fatalf("export %+v: %v", flt, err)
		}
		return got
	}
	var all, ops []int64
	for id := int64(n); id >= 1; id-- {
		all = append(all, id)
		if (id-1)%3 == 0 {
			ops = append(ops, id)
		}
	}
	if got := export(projections.AuditFilter{}); !slices.Equal(got, all) {
		f.t.Fatalf("export all: %d rows from %v, want %d rows newest first", len(got), got[:min(len(got), 3)], n)
	}
	if got := export(projections.AuditFilter{Actor: "ops@example.com"}); !slices.Equal(got, ops) {
		f.t.Fatalf("export ops: %d rows, want %d", len(got), len(ops))
	}
	calls := 0
	err := f.store.ExportAudit(f.ctx, projections.AuditFilter{}, func(projections.AuditRow) error {
		calls++
		if calls == 2 {
			return errStateStop
		}
		return nil
	})
	if !errors.Is(err, errStateStop) || calls != 2 {
		f.t.Fatalf("export stopped with %v after %d calls, want errStateStop after 2", err, calls)
	}
}
