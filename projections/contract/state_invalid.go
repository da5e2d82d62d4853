package contract

import (
	"slices"

	"github.com/sentrazone/sentrazone/domain"
)

// stateInvalidEvent: versioned events at the right version that the domain
// refuses (unknown server or peer, a duplicate peer name, an address
// outside the client range, an aggregate id that does not match the
// payload) change nothing and get no audit row;
// the version stays, so the next valid event still applies.
func stateInvalidEvent(f *stateFeed) {
	f.register("srv")
	alice := f.createPeer("srv", "alice")
	s := f.server("srv")
	v := s.Version

	dup := f.createPeerCmd("srv", "bob")
	bob, err := s.DecideCreatePeer(dup)
	if err != nil {
		f.t.Fatal(err)
	}
	dupName := bob
	dupName.Name = "ALICE"
	foreign := bob
	foreign.ServerID = "other"
	outside := bob
	outside.Address = "10.9.0.3"
	serverAddr := bob
	serverAddr.Address = "10.8.0.1"
	f.apply(
		f.record(domain.WGClientCreated{ServerID: "ghost", ClientID: "c-x", Name: "x", Address: "10.8.0.2",
			PublicKey: stateKey("ghost/x")}, "ghost", 0),
		f.record(domain.WGClientEnabled{ServerID: "ghost", ClientID: "c-x"}, "ghost", 0),
		f.record(domain.WGClientDisabled{ServerID: "srv", ClientID: "c-nobody"}, "srv", v),
		f.record(domain.WGClientEnabled{ServerID: "srv", ClientID: "c-nobody"}, "srv", v),
		f.record(domain.WGClientDeleted{ServerID: "srv", ClientID: "c-nobody"}, "srv", v),
		f.record(dupName, "srv", v),
		f.record(foreign, "srv", v),
		f.record(outside, "srv", v),
		f.record(serverAddr, "srv", v),
	)
	f.wantActions(f.chain(), "server_registered srv", "wg_client_created srv/alice")
	f.wantEventsOffset(int64(len(f.events)))
	if got := f.server("srv"); got.Version != v {
		f.t.Fatalf("version = %d, want %d", got.Version, v)
	}
	if srv, err := f.store.Server(f.ctx, "ghost"); srv != nil || err != nil {
		f.t.Fatalf("ghost server = %+v, %v", srv, err)
	}

	f.do(bob, "srv", v)
	f.setEnabled("srv", alice.ClientID, false)
	if got := f.peerNames("srv"); !slices.Equal(got, []string{"alice", "bob"}) {
		f.t.Fatalf("peers = %q", got)
	}
	if got := f.server("srv"); got.Version != v+2 {
		f.t.Fatalf("version = %d, want %d", got.Version, v+2)
	}
}
