package contract

import (
	"bytes"
	"slices"

	"github.com/sentrazone/sentrazone/domain"
)

// stateServersAndPeers: registration, peer creation, toggles and deletion
// show in Server, ServerView, Servers, Peers and Peer.
func stateServersAndPeers(f *stateFeed) {
	regB := f.register("b-srv")
	f.register("a-srv")
	alice := f.createPeer("b-srv", "alice")
	bob := f.createPeer("b-srv", "bob")
	carol := f.createPeer("b-srv", "carol")
	f.setEnabled("b-srv", bob.ClientID, false)
	f.deletePeer("b-srv", alice.ClientID)
	dave := f.createPeer("b-srv", "dave") // reuses alice's address

	s := f.server("b-srv")
	if s.Version != 7 || s.Name != "Server b-srv" || s.Subnet.String() != "10.8.0.0/24" ||
		!bytes.Equal(s.AgentTokenHash, domain.HashAgentToken("token-b-srv")) {
		f.t.Fatalf("server = %+v, want version 7 with registered fields", s)
	}
	peers := s.Peers()
	if len(peers) != 3 || peers[0].Name != "dave" || peers[0].Address.String() != alice.Address ||
		peers[1].Name != "bob" || peers[1].Enabled || peers[2].Name != "carol" || !peers[2].Enabled {
		f.t.Fatalf("peers = %+v", peers)
	}
	if p := peers[2]; p.ClientID != carol.ClientID || p.PublicKey != carol.PublicKey || p.KeyID != carol.KeyID ||
		!bytes.Equal(p.PrivateKeySealed, carol.PrivateKeySealed) || !bytes.Equal(p.PresharedKeySealed, carol.PresharedKeySealed) {
		f.t.Fatalf("carol = %+v, want the fields of %+v", p, carol)
	}
	if next, err := s.DecideCreatePeer(f.createPeerCmd("b-srv", "erin")); err != nil || next.Address != "10.8.0.5" {
		f.t.Fatalf("next allocation = %q, %v; want 10.8.0.5", next.Address, err)
	}

	v, ok, err := f.store.ServerView(f.ctx, "b-srv")
	if err != nil || !ok {
		f.t.Fatalf("server view: %v, %v", ok, err)
	}
	if v.ID != "b-srv" || v.Name != "Server b-srv" || v.Endpoint != "b-srv.example.com:51820" || v.Subnet != "10.8.0.0/24" ||
		v.DNS != domain.DefaultDNS || v.Version != 7 || !sameTime(v.RegisteredAt, regB.Event.OccurredAt) || v.PublicKey != "" || v.ListenPort != 0 {
		f.t.Fatalf("server view = %+v", v)
	}
	all, err := f.store.Servers(f.ctx)
	if err != nil || len(all) != 2 || all[0].ID != "a-srv" || all[1].ID != "b-srv" || all[0].Version != 1 {
		f.t.Fatalf("servers = %+v, %v", all, err)
	}

	if got := f.peerNames("b-srv"); !slices.Equal(got, []string{"dave", "bob", "carol"}) {
		f.t.Fatalf("peer names = %q", got)
	}
	pv, ok, err := f.store.Peer(f.ctx, "b-srv", dave.ClientID)
	if err != nil || !ok || pv.ServerID != "b-srv" || pv.Peer.Name != "dave" || !pv.Peer.Enabled ||
		!sameTime(pv.CreatedAt, f.events[len(f.events)-1].Event.OccurredAt) || pv.LatestHandshakeAt != nil || pv.TransferRx != 0 {
		f.t.Fatalf("peer dave = %+v, %v, %v", pv, ok, err)
	}

	f.wantUnknown("b-srv", alice.ClientID)
}

// wantUnknown checks that the store answers "not found" for an unknown
// server, an unknown (or deleted) peer, and peers of an unknown server.
func (f *stateFeed) wantUnknown(serverID, clientID string) {
	f.t.Helper()
	if s, err := f.store.Server(f.ctx, "nope"); s != nil || err != nil {
		f.t.Fatalf("unknown server = %+v, %v; want nil, nil", s, err)
	}
	if _, ok, err := f.store.ServerView(f.ctx, "nope"); ok || err != nil {
		f.t.Fatalf("unknown server view: %v, %v", ok, err)
	}
	if _, ok, err := f.store.Peer(f.ctx, serverID, clientID); ok || err != nil {
		f.t.Fatalf("peer %s: %v, %v; want unknown", clientID, ok, err)
	}
	if ps, err := f.store.Peers(f.ctx, "nope"); len(ps) != 0 || err != nil {
		f.t.Fatalf("peers of unknown server = %+v, %v", ps, err)
	}
}

// statePeerAuditTargets: peer events are audited as "<server>/<name>",
// the deletion too although it removes the peer.
func statePeerAuditTargets(f *stateFeed) {
	f.register("los-angeles")
	alice := f.createPeer("los-angeles", "alice-iphone")
	f.setEnabled("los-angeles", alice.ClientID, false)
	f.setEnabled("los-angeles", alice.ClientID, true)
	f.deletePeer("los-angeles", alice.ClientID)
	rows := f.chain()
	f.wantActions(rows,
		"server_registered los-angeles",
		"wg_client_created los-angeles/alice-iphone",
		"wg_client_disabled los-angeles/alice-iphone",
		"wg_client_enabled los-angeles/alice-iphone",
		"wg_client_deleted los-angeles/alice-iphone")
	for i, r := range rows {
		e := f.events[i].Event
		if r.ID != int64(i+1) || r.EventID != e.ID.String() || r.Actor != stateAdmin || r.IP != stateIP || !sameTime(r.CreatedAt, e.OccurredAt) {
			f.t.Fatalf("row %d = %+v, want the fields of event %+v", i, r, e)
		}
	}
}

// stateStaleVersion: of two commands decided against the same version
// (two API replicas racing), the second is stale: no state change, no audit
// row, but its offset is consumed.
func stateStaleVersion(f *stateFeed) {
	f.register("srv")
	s := f.server("srv")
	first, err := s.DecideCreatePeer(f.createPeerCmd("srv", "first"))
	if err != nil {
		f.t.Fatal(err)
	}
	second, err := s.DecideCreatePeer(f.createPeerCmd("srv", "second"))
	if err != nil {
		f.t.Fatal(err)
	}
	if first.Address != second.Address {
		f.t.Fatalf("both decisions should pick the same address: %s, %s", first.Address, second.Address)
	}
	again, err := domain.DecideRegisterServer(nil, domain.RegisterServer{ID: "srv", Endpoint: "other.example.com:1"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.apply(f.record(first, "srv", s.Version), f.record(second, "srv", s.Version), f.record(again, "srv", 0))

	if got := f.peerNames("srv"); !slices.Equal(got, []string{"first"}) {
		f.t.Fatalf("peers = %q, want only the first", got)
	}
	if v := f.server("srv"); v.Version != 2 || v.Endpoint != "srv.example.com:51820" {
		f.t.Fatalf("server = %+v, want version 2 and the first registration", v)
	}
	f.wantActions(f.chain(), "server_registered srv", "wg_client_created srv/first")
	f.wantEventsOffset(4)
}
