package memstate

import "github.com/sentrazone/sentrazone/projections"

// auditChunkRows is the number of rows in one chunk of the audit log.
const auditChunkRows = 4096

// auditLog is the append-only audit log, oldest first, in chunks of
// auditChunkRows rows. Appending never moves the rows already there (a
// single slice grown by append copied up to a million rows at a time during
// a boot replay), and a snapshot taken with view stays valid while rows are
// appended after it: rows are never modified, and a chunk only grows past
// the length a snapshot knows. Chunks are arrays behind pointers, so
// appending writes only rows past that length, never a slice header a
// snapshot reads.
type auditLog struct {
	chunks []*[auditChunkRows]projections.AuditRow
	n      int
}

// len is the number of rows.
func (l *auditLog) len() int { return l.n }

// last returns the newest row, or the zero row when the log is empty.
func (l *auditLog) last() projections.AuditRow {
	if l.n == 0 {
		return projections.AuditRow{}
	}
	return l.at(l.n - 1)
}

// append adds r as the newest row.
func (l *auditLog) append(r projections.AuditRow) {
	if l.n%auditChunkRows == 0 {
		l.chunks = append(l.chunks, new([auditChunkRows]projections.AuditRow))
	}
	l.chunks[l.n/auditChunkRows][l.n%auditChunkRows] = r
	l.n++
}

// at returns row i, oldest first.
func (l *auditLog) at(i int) projections.AuditRow {
	return l.chunks[i/auditChunkRows][i%auditChunkRows]
}

// view returns a snapshot of the rows so far; it never sees later appends.
func (l *auditLog) view() auditLog {
	k := len(l.chunks)
	return auditLog{chunks: l.chunks[:k:k], n: l.n}
}
