package projections

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

type chain []AuditRow

func (c chain) Audit(context.Context, AuditFilter, int, int) ([]AuditRow, error) { return nil, nil }
func (c chain) ExportAudit(context.Context, AuditFilter, func(AuditRow) error) error {
	return nil
}
func (c chain) AuditChain(_ context.Context, fn func(AuditRow) error) error {
	for _, r := range c {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func buildChain(t *testing.T, n int) chain {
	t.Helper()
	var rows chain
	var prev AuditRow
	for i := range n {
		env, err := domain.NewEvent(domain.LoginFailed{Email: "a@example.com", Reason: "bad_password"},
			"a@example.com", 0, "a@example.com", "10.0.0.1", time.Date(2026, 1, 1, 0, 0, i, 123456789, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		prev = NewAuditRow(prev, env, env.AuditTarget())
		rows = append(rows, prev)
	}
	return rows
}

func TestAuditChainVerifiesAndDetectsTampering(t *testing.T) {
	ctx := context.Background()
	rows := buildChain(t, 5)
	if n, err := VerifyAuditChain(ctx, rows); err != nil || n != 5 {
		t.Fatalf("verify = %d, %v", n, err)
	}
	tamper := map[string]func(c chain){
		"actor":   func(c chain) { c[2].Actor = "someone@example.com" },
		"time":    func(c chain) { c[3].CreatedAt = c[3].CreatedAt.Add(time.Second) },
		"removed": func(c chain) { copy(c[1:], c[2:]) },
		"relink":  func(c chain) { c[4].PrevHash = c[2].Hash },
	}
	for name, f := range tamper {
		c := append(chain(nil), rows...)
		f(c)
		if _, err := VerifyAuditChain(ctx, c); err == nil {
			t.Errorf("%s: tampered chain verified", name)
		}
	}
}

func TestAuditHashCoversEveryField(t *testing.T) {
	r := buildChain(t, 2)[1]
	base := AuditHash(r)
	for name, f := range map[string]func(*AuditRow){
		"id": func(x *AuditRow) { x.ID++ }, "event": func(x *AuditRow) { x.EventID = "x" },
		"action": func(x *AuditRow) { x.Action = "x" }, "target": func(x *AuditRow) { x.Target = "x" },
		"ip": func(x *AuditRow) { x.IP = "10.0.0.2" }, "prev": func(x *AuditRow) { x.PrevHash = []byte{1} },
		// Moving a byte from one field to the next must change the hash.
		"boundary": func(x *AuditRow) { x.Actor, x.Action = x.Actor+x.Action[:1], x.Action[1:] },
	} {
		c := r
		f(&c)
		if string(AuditHash(c)) == string(base) {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
}
