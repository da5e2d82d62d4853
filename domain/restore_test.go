package domain

import (
	"net/netip"
	"reflect"
	"testing"
)

// storedFields copies what a row store keeps of s: its exported fields.
func storedFields(s *Server) Server {
	return Server{ID: s.ID, Name: s.Name, Endpoint: s.Endpoint, Subnet: s.Subnet,
		DNS: s.DNS, AgentTokenHash: s.AgentTokenHash, Version: s.Version}
}

// applyToggle decides and applies disabling (or enabling) a peer.
func applyToggle(t *testing.T, s *Server, clientID string, enable bool) {
	t.Helper()
	var p Payload
	var err error
	if enable {
		p, _, err = s.DecideEnablePeer(clientID)
	} else {
		p, _, err = s.DecideDisablePeer(clientID)
	}
	if err != nil {
		t.Fatalf("decide toggle %s: %v", clientID, err)
	}
	if err := s.Apply(event(p, s.ID, s.Version)); err != nil {
		t.Fatalf("apply toggle %s: %v", clientID, err)
	}
}

func TestRestoreServerEqualsReplay(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	for n := 1; n <= 6; n++ {
		mustCreatePeer(t, s, n)
	}
	deletePeer(t, s, "c2") // frees 10.8.0.3: the next allocation
	deletePeer(t, s, "c5")
	applyToggle(t, s, "c3", false)
	applyToggle(t, s, "c4", false)
	applyToggle(t, s, "c4", true)

	peers := s.Peers()
	// Reverse the order: a store may return rows in any order.
	for i, j := 0, len(peers)-1; i < j; i, j = i+1, j-1 {
		peers[i], peers[j] = peers[j], peers[i]
	}
	got, err := RestoreServer(storedFields(s), peers)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !reflect.DeepEqual(got.Peers(), s.Peers()) {
		t.Fatalf("peers differ:\n got %+v\nwant %+v", got.Peers(), s.Peers())
	}
	if got.Version != s.Version || got.ID != s.ID || got.Name != s.Name || got.Subnet != s.Subnet {
		t.Fatalf("fields differ: got %+v, want %+v", storedFields(got), storedFields(s))
	}
	for n := 7; n <= 9; n++ {
		want := mustCreatePeer(t, s, n)
		if have := mustCreatePeer(t, got, n); have != want {
			t.Fatalf("peer %d: restored server allocates %s, replayed one %s", n, have, want)
		}
	}
	if _, err := got.DecideCreatePeer(CreatePeer{ClientID: "x", Name: "PEER-1", PublicKey: testKey(99)}); !IsKind(err, KindConflict) {
		t.Fatalf("restored name index: err = %v, want KindConflict", err)
	}
	if _, err := got.DecideCreatePeer(CreatePeer{ClientID: "x", Name: "x", PublicKey: testKey(1)}); !IsKind(err, KindConflict) {
		t.Fatalf("restored key index: err = %v, want KindConflict", err)
	}
}

func TestRestoreServerNoPeers(t *testing.T) {
	s := newTestServer(t, "10.9.0.0/30")
	got, err := RestoreServer(storedFields(s), nil)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if addr := mustCreatePeer(t, got, 1); addr != "10.9.0.2" {
		t.Fatalf("first address = %s, want 10.9.0.2", addr)
	}
	if _, err := createPeer(t, got, 2); !IsKind(err, KindFull) {
		t.Fatalf("second peer on /30: err = %v, want KindFull", err)
	}
}

func TestRestoreServerRejectsCorruptRows(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	mustCreatePeer(t, s, 1)
	mustCreatePeer(t, s, 2)
	base := s.Peers()
	tests := []struct {
		name string
		edit func(f *Server, ps []Peer)
	}{
		{"duplicate address", func(_ *Server, ps []Peer) { ps[1].Address = ps[0].Address }},
		{"duplicate name", func(_ *Server, ps []Peer) { ps[1].Name = "PEER-1" }},
		{"duplicate public key", func(_ *Server, ps []Peer) { ps[1].PublicKey = ps[0].PublicKey }},
		{"duplicate client id", func(_ *Server, ps []Peer) { ps[1].ClientID = ps[0].ClientID }},
		{"address outside subnet", func(_ *Server, ps []Peer) { ps[0].Address = netip.MustParseAddr("10.9.0.2") }},
		{"server address", func(_ *Server, ps []Peer) { ps[0].Address = netip.MustParseAddr("10.8.0.1") }},
		{"no id", func(f *Server, _ []Peer) { f.ID = "" }},
		{"no subnet", func(f *Server, _ []Peer) { f.Subnet = netip.Prefix{} }},
		{"version too low", func(f *Server, _ []Peer) { f.Version = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := storedFields(s)
			ps := append([]Peer(nil), base...)
			tt.edit(&f, ps)
			if got, err := RestoreServer(f, ps); err == nil {
				t.Fatalf("restore succeeded: %+v", got.Peers())
			}
		})
	}
}
