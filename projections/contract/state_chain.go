package contract

import (
	"bytes"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// stateAuditChain: AuditChain walks the rows oldest first, each linked to
// the one before, and VerifyAuditChain accepts them. Event times keep
// their microseconds through the store, so hashes verify after a round
// trip.
func stateAuditChain(f *stateFeed) {
	log, rows := f.scenario()
	f.applyAll(log, 6)
	f.recordAs(domain.LoginFailed{Email: "x@example.com", Reason: "bad_password"}, "x@example.com", 0,
		"x@example.com", "192.0.2.1", f.tick().Add(987654321*time.Nanosecond))
	f.apply(f.events[len(f.events)-1])
	rows++

	chain := f.chain()
	if len(chain) != rows {
		f.t.Fatalf("%d rows, want %d", len(chain), rows)
	}
	f.wantLogOrder(chain, f.events)
	var prev projections.AuditRow
	for _, r := range chain {
		if r.ID != prev.ID+1 || !bytes.Equal(r.PrevHash, prev.Hash) || !bytes.Equal(r.Hash, projections.AuditHash(r)) {
			f.t.Fatalf("row %d does not follow row %d: %+v", r.ID, prev.ID, r)
		}
		prev = r
	}
	last := f.events[len(f.events)-1].Event
	if !sameTime(prev.CreatedAt, last.OccurredAt) || prev.CreatedAt.Nanosecond() != 987654000 {
		f.t.Fatalf("last row created at %v, want %v to the microsecond", prev.CreatedAt, last.OccurredAt)
	}
	n, err := projections.VerifyAuditChain(f.ctx, f.store)
	if err != nil || n != int64(rows) {
		f.t.Fatalf("verify = %d, %v; want %d rows", n, err, rows)
	}
	calls := 0
	err = f.store.AuditChain(f.ctx, func(projections.AuditRow) error { calls++; return errStateStop })
	if err == nil || calls != 1 {
		f.t.Fatalf("audit chain stopped with %v after %d calls, want errStateStop after 1", err, calls)
	}
}

// stateKeyShredding: applying wg_client_deleted destroys the peer's data
// key; a stale deletion destroys nothing; redelivery is harmless.
func stateKeyShredding(f *stateFeed) {
	f.register("srv")
	alice, bob := f.createPeer("srv", "alice"), f.createPeer("srv", "bob")
	s := f.server("srv")
	staleBob := f.record(domain.WGClientDeleted{ServerID: "srv", ClientID: bob.ClientID}, "srv", s.Version-1)
	del := f.record(domain.WGClientDeleted{ServerID: "srv", ClientID: alice.ClientID}, "srv", s.Version)
	f.apply(staleBob, del)
	f.apply(staleBob, del)
	f.wantKey(alice.KeyID, false)
	f.wantKey(bob.KeyID, true)
	f.wantActions(f.chain(), "server_registered srv", "wg_client_created srv/alice", "wg_client_created srv/bob",
		"wg_client_deleted srv/alice")
}

// wantKey checks whether a data key exists.
func (f *stateFeed) wantKey(keyID string, want bool) {
	f.t.Helper()
	got, err := f.h.Keys.KeyExists(f.ctx, keyID)
	if err != nil || got != want {
		f.t.Fatalf("key %s exists = %v, %v; want %v", keyID, got, err, want)
	}
}
