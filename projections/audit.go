package projections

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// AuditRow is one audit log entry. IDs count from 1 in log order.
type AuditRow struct {
	ID        int64
	EventID   string
	Actor     string
	Action    string
	Target    string
	IP        string
	CreatedAt time.Time
	PrevHash  []byte
	Hash      []byte
}

// AuditFilter narrows the audit log. Zero fields do not filter. From is
// inclusive, To exclusive.
type AuditFilter struct {
	Actor  string
	Action string
	From   time.Time
	To     time.Time
}

// AuditReader reads the audit log.
type AuditReader interface {
	// Audit returns rows newest first.
	Audit(ctx context.Context, f AuditFilter, limit, offset int) ([]AuditRow, error)
	// ExportAudit calls fn for every matching row, newest first, without
	// holding them all in memory. fn's error stops the export. The rows
	// carry what an export shows: ID, Actor, Action, Target, IP and
	// CreatedAt; a store may leave EventID and the hashes out.
	ExportAudit(ctx context.Context, f AuditFilter, fn func(AuditRow) error) error
	// AuditChain calls fn for every row, oldest first, for verification.
	AuditChain(ctx context.Context, fn func(AuditRow) error) error
}

// NewAuditRow builds the row for event env, chained to prev (the previous
// row, zero for the first). target is the resolved target (peer names
// instead of ids where the store knows them). CreatedAt is the event time
// truncated to the microsecond, the precision SQL stores keep, so every
// store computes the same hashes from the same log.
func NewAuditRow(prev AuditRow, env domain.Envelope, target string) AuditRow {
	r := AuditRow{
		ID:        prev.ID + 1,
		EventID:   env.ID.String(),
		Actor:     env.Actor,
		Action:    env.AuditAction(),
		Target:    target,
		IP:        env.SourceIP,
		CreatedAt: env.OccurredAt.UTC().Truncate(time.Microsecond),
		PrevHash:  prev.Hash,
	}
	if r.PrevHash == nil {
		r.PrevHash = []byte{}
	}
	r.Hash = AuditHash(r)
	return r
}

// AuditHash is SHA-256 over the previous hash and the row's own fields,
// each length-prefixed so no two rows share an encoding. The input is
// built in one buffer and hashed at once: a replay hashes every row.
func AuditHash(r AuditRow) []byte {
	var buf [512]byte
	b := binary.BigEndian.AppendUint64(buf[:0], 8)
	b = binary.BigEndian.AppendUint64(b, uint64(r.ID))
	b = appendHashField(b, r.PrevHash)
	for _, s := range []string{r.EventID, r.Actor, r.Action, r.Target, r.IP} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	var ts [40]byte
	b = appendHashField(b, r.CreatedAt.UTC().AppendFormat(ts[:0], time.RFC3339Nano))
	sum := sha256.Sum256(b)
	return sum[:]
}

func appendHashField(b, f []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
	return append(b, f...)
}

// VerifyAuditChain walks the whole chain oldest first and reports the
// first row whose id, link or hash is wrong. It returns the row count.
func VerifyAuditChain(ctx context.Context, r AuditReader) (int64, error) {
	var prev AuditRow
	err := r.AuditChain(ctx, func(row AuditRow) error {
		switch {
		case row.ID != prev.ID+1:
			return fmt.Errorf("audit row %d follows row %d: ids must be consecutive", row.ID, prev.ID)
		case !bytes.Equal(row.PrevHash, prev.Hash):
			return fmt.Errorf("audit row %d: previous hash does not match row %d", row.ID, prev.ID)
		case !bytes.Equal(row.Hash, AuditHash(row)):
			return fmt.Errorf("audit row %d: hash does not match its contents", row.ID)
		}
		prev = row
		return nil
	})
	if err != nil {
		return prev.ID, fmt.Errorf("verify audit chain: %w", err)
	}
	return prev.ID, nil
}
