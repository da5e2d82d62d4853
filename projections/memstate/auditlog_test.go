package memstate

import (
	"testing"

	"github.com/sentrazone/sentrazone/projections"
)

// TestAuditLogChunks appends across chunk boundaries and checks that every
// row reads back in order, and that a view taken earlier keeps its length
// and rows while the log grows.
func TestAuditLogChunks(t *testing.T) {
	var l auditLog
	if l.len() != 0 || l.last().ID != 0 {
		t.Fatalf("empty log: len %d, last %+v", l.len(), l.last())
	}
	const first = auditChunkRows + 7
	for i := range first {
		l.append(projections.AuditRow{ID: int64(i + 1)})
	}
	v := l.view()
	for i := first; i < 2*auditChunkRows+3; i++ {
		l.append(projections.AuditRow{ID: int64(i + 1)})
	}
	if l.len() != 2*auditChunkRows+3 || l.last().ID != 2*auditChunkRows+3 {
		t.Fatalf("len %d, last %d", l.len(), l.last().ID)
	}
	for i := range l.len() {
		if got := l.at(i).ID; got != int64(i+1) {
			t.Fatalf("row %d has id %d", i, got)
		}
	}
	if v.len() != first || v.last().ID != first {
		t.Fatalf("view changed: len %d, last %d", v.len(), v.last().ID)
	}
	for i := range v.len() {
		if got := v.at(i).ID; got != int64(i+1) {
			t.Fatalf("view row %d has id %d", i, got)
		}
	}
}
