package contract

import (
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// statePeerStats: peers carry the newest statistics reported for their
// public key. A peer left out of a newer report keeps its older ones, an
// older report does not overwrite them, a zero handshake reads as nil.
func statePeerStats(f *stateFeed) {
	f.register("srv")
	alice, bob, carol := f.createPeer("srv", "alice"), f.createPeer("srv", "bob"), f.createPeer("srv", "carol")
	at := stateT0.Add(time.Hour)
	hs1, hs2 := at.Add(-time.Minute), at.Add(-time.Second)
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at, PeerStats: []domain.PeerStat{
		{PublicKey: alice.PublicKey, Endpoint: "198.51.100.1:4000", LatestHandshakeAt: hs1, TransferRx: 10, TransferTx: 20},
		{PublicKey: bob.PublicKey, TransferRx: 1},
		{PublicKey: stateKey("stranger"), TransferRx: 5},
	}})
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at.Add(time.Second), PeerStats: []domain.PeerStat{
		{PublicKey: alice.PublicKey, Endpoint: "198.51.100.1:4001", LatestHandshakeAt: hs2, TransferRx: 30, TransferTx: 40},
	}})
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at.Add(-time.Second), PeerStats: []domain.PeerStat{
		{PublicKey: alice.PublicKey, Endpoint: "stale:1", TransferRx: 999},
		{PublicKey: bob.PublicKey, Endpoint: "stale:2", TransferRx: 999},
	}})
	// Another server's report about the same key does not leak into srv.
	f.report(1, domain.ServerReported{ServerID: "other", ReportedAt: at.Add(time.Hour), PeerStats: []domain.PeerStat{
		{PublicKey: alice.PublicKey, TransferRx: 777},
	}})

	views, err := f.store.Peers(f.ctx, "srv")
	if err != nil || len(views) != 3 {
		f.t.Fatalf("peers = %+v, %v", views, err)
	}
	f.wantStats(views[0], alice.ClientID, &hs2, "198.51.100.1:4001", 30, 40)
	f.wantStats(views[1], bob.ClientID, nil, "", 1, 0)
	f.wantStats(views[2], carol.ClientID, nil, "", 0, 0)
	one, ok, err := f.store.Peer(f.ctx, "srv", alice.ClientID)
	if err != nil || !ok {
		f.t.Fatalf("peer alice: %v, %v", ok, err)
	}
	f.wantStats(one, alice.ClientID, &hs2, "198.51.100.1:4001", 30, 40)
}

// wantStats checks one peer view's statistics.
func (f *stateFeed) wantStats(v projections.PeerView, clientID string, hs *time.Time, endpoint string, rx, tx uint64) {
	f.t.Helper()
	okHS := (hs == nil && v.LatestHandshakeAt == nil) || (hs != nil && v.LatestHandshakeAt != nil && sameTime(*hs, *v.LatestHandshakeAt))
	if v.Peer.ClientID != clientID || !okHS || v.Endpoint != endpoint || v.TransferRx != rx || v.TransferTx != tx {
		f.t.Fatalf("peer %s = %+v (handshake %v), want handshake %v endpoint %q rx %d tx %d",
			clientID, v, v.LatestHandshakeAt, hs, endpoint, rx, tx)
	}
}
