package contract

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// report appends a server_reported record to a reports partition and
// applies it.
func (f *stateFeed) report(partition int, r domain.ServerReported) projections.Decoded {
	f.t.Helper()
	d := f.recordReport(partition, r)
	f.applyReports(partition, d)
	return d
}

// recordReport appends a server_reported record without applying it.
func (f *stateFeed) recordReport(partition int, r domain.ServerReported) projections.Decoded {
	f.t.Helper()
	env, err := domain.NewEvent(r, r.ServerID, 0, domain.AgentActor(r.ServerID), "198.51.100.7", f.tick())
	if err != nil {
		f.t.Fatalf("new report: %v", err)
	}
	d := projections.Decoded{Partition: partition, Offset: int64(len(f.reports[partition])), Event: env}
	f.reports[partition] = append(f.reports[partition], d)
	return d
}

// applyReports feeds records of one reports partition to the store.
func (f *stateFeed) applyReports(partition int, recs ...projections.Decoded) {
	f.t.Helper()
	if err := f.store.ApplyReports(f.ctx, partition, recs); err != nil {
		f.t.Fatalf("apply reports: %v", err)
	}
}

// chain returns every audit row, oldest first.
func (f *stateFeed) chain() []projections.AuditRow {
	f.t.Helper()
	var rows []projections.AuditRow
	err := f.store.AuditChain(f.ctx, func(r projections.AuditRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		f.t.Fatalf("audit chain: %v", err)
	}
	return rows
}

// audit returns the rows Audit returns.
func (f *stateFeed) audit(flt projections.AuditFilter, limit, offset int) []projections.AuditRow {
	f.t.Helper()
	rows, err := f.store.Audit(f.ctx, flt, limit, offset)
	if err != nil {
		f.t.Fatalf("audit %+v limit %d offset %d: %v", flt, limit, offset, err)
	}
	return rows
}

// wantActions fails unless rows have exactly these "action target" pairs.
func (f *stateFeed) wantActions(rows []projections.AuditRow, want ...string) {
	f.t.Helper()
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Action + " " + r.Target
	}
	if !slices.Equal(got, want) {
		f.t.Fatalf("audit rows:\n got %q\nwant %q", got, want)
	}
}

// offsets returns the store's next offsets of topic.
func (f *stateFeed) offsets(topic string) map[int]int64 {
	f.t.Helper()
	m, err := f.store.NextOffsets(f.ctx, topic)
	if err != nil {
		f.t.Fatalf("next offsets %s: %v", topic, err)
	}
	return m
}

// wantEventsOffset fails unless the events topic's next offset is next.
func (f *stateFeed) wantEventsOffset(next int64) {
	f.t.Helper()
	if got := f.offsets(eventstore.TopicEvents); got[0] != next || len(got) != 1 {
		f.t.Fatalf("events offsets = %v, want {0: %d}", got, next)
	}
}

// peerNames returns the names of a server's peers as Peers lists them.
func (f *stateFeed) peerNames(serverID string) []string {
	f.t.Helper()
	views, err := f.store.Peers(f.ctx, serverID)
	if err != nil {
		f.t.Fatalf("peers of %s: %v", serverID, err)
	}
	names := make([]string, len(views))
	for i, v := range views {
		names[i] = v.Peer.Name
	}
	return names
}

// sameTime compares times at the microsecond, the precision every store
// keeps.
func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// errStateStop is returned by callbacks to stop an iteration.
var errStateStop = errors.New("contract: stop")

// rowKey identifies an audit row by everything it holds.
func rowKey(r projections.AuditRow) string {
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%x|%x", r.ID, r.EventID, r.Actor, r.Action, r.Target, r.IP,
		r.CreatedAt.UTC().Format(time.RFC3339Nano), r.PrevHash, r.Hash)
}
