package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestValidatePeerName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"", false},
		{"a", true},
		{"alice-iphone", true},
		{"A.b_c-D9", true},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
		{"x y", false},
		{" alice", false},
		{"tab\there", false},
		{"ünïcode", false},
		{"日本", false},
		{"a/b", false},
		{"a:b", false},
	}
	for _, tt := range tests {
		err := ValidatePeerName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePeerName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !IsKind(err, KindInvalid) {
			t.Errorf("ValidatePeerName(%q) kind: %v", tt.name, err)
		}
	}
	want := `peer name "x y" is invalid: use 1–64 letters, digits, '.', '_' or '-'`
	if err := ValidatePeerName("x y"); err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestDecideCreatePeerRejects(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	mustCreatePeer(t, s, 1) // c1, peer-1, testKey(1)
	base := CreatePeer{ClientID: "c2", Name: "peer-2", PublicKey: testKey(2), PrivateKeySealed: []byte{1}, KeyID: "k2"}
	tests := []struct {
		name string
		edit func(c *CreatePeer)
		kind ErrorKind
	}{
		{"duplicate name", func(c *CreatePeer) { c.Name = "peer-1" }, KindConflict},
		{"duplicate name other case", func(c *CreatePeer) { c.Name = "PEER-1" }, KindConflict},
		{"duplicate client id", func(c *CreatePeer) { c.ClientID = "c1" }, KindConflict},
		{"duplicate public key", func(c *CreatePeer) { c.PublicKey = testKey(1) }, KindConflict},
		{"bad name", func(c *CreatePeer) { c.Name = "no spaces" }, KindInvalid},
		{"bad client id", func(c *CreatePeer) { c.ClientID = "a/b" }, KindInvalid},
		{"bad public key", func(c *CreatePeer) { c.PublicKey = "c2hvcnQ=" }, KindInvalid},
		{"sealed without key id", func(c *CreatePeer) { c.KeyID = "" }, KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := base
			tt.edit(&cmd)
			if _, err := s.DecideCreatePeer(cmd); !IsKind(err, tt.kind) {
				t.Fatalf("err = %v, want kind %s", err, tt.kind)
			}
		})
	}
	if _, err := s.DecideCreatePeer(base); err != nil {
		t.Fatalf("base command should be valid: %v", err)
	}
}

func TestEnableDisableIdempotent(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	mustCreatePeer(t, s, 1)
	steps := []struct {
		enable      bool
		wantChanged bool
	}{
		{true, false}, // new peers are enabled
		{false, true},
		{false, false},
		{true, true},
		{true, false},
	}
	for i, st := range steps {
		var p Payload
		var changed bool
		var err error
		if st.enable {
			p, changed, err = s.DecideEnablePeer("c1")
		} else {
			p, changed, err = s.DecideDisablePeer("c1")
		}
		if err != nil || changed != st.wantChanged {
			t.Fatalf("step %d: changed=%v err=%v, want changed=%v", i, changed, err, st.wantChanged)
		}
		if changed {
			if err := s.Apply(event(p, "srv", s.Version)); err != nil {
				t.Fatalf("step %d: apply: %v", i, err)
			}
		}
		if peer, _ := s.Peer("c1"); peer.Enabled != st.enable {
			t.Fatalf("step %d: enabled = %v", i, peer.Enabled)
		}
	}
}

func TestUnknownPeerNotFound(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	if _, err := s.DecideDeletePeer("ghost"); !IsKind(err, KindNotFound) {
		t.Errorf("delete: %v", err)
	}
	if _, _, err := s.DecideEnablePeer("ghost"); !IsKind(err, KindNotFound) {
		t.Errorf("enable: %v", err)
	}
	if _, _, err := s.DecideDisablePeer("ghost"); !IsKind(err, KindNotFound) {
		t.Errorf("disable: %v", err)
	}
	var none *Server
	if _, err := none.DecideCreatePeer(CreatePeer{}); !IsKind(err, KindNotFound) {
		t.Errorf("create on nil server: %v", err)
	}
}

func TestApplyVersionConflict(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	p, err := s.DecideCreatePeer(CreatePeer{ClientID: "c1", Name: "a", PublicKey: testKey(1)})
	if err != nil {
		t.Fatal(err)
	}
	// A concurrent replica decided the same address and got there first.
	other := p
	other.ClientID, other.Name, other.PublicKey = "c2", "b", testKey(2)
	if err := s.Apply(event(other, "srv", s.Version)); err != nil {
		t.Fatal(err)
	}
	before := s.Version
	err = s.Apply(event(p, "srv", before-1))
	if !errors.Is(err, ErrVersionConflict) {
		t.Fatalf("stale apply: err = %v, want ErrVersionConflict", err)
	}
	if _, ok := s.Peer("c1"); ok || s.Version != before {
		t.Fatalf("stale event was applied (version %d -> %d)", before, s.Version)
	}
	// Even with a forged version the duplicate address is refused.
	if err := s.Apply(event(p, "srv", s.Version)); !IsKind(err, KindConflict) || s.Version != before {
		t.Fatalf("duplicate address: err = %v, version %d", err, s.Version)
	}
}

func TestApplyRejectsForeignEvents(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	tests := []struct {
		name string
		env  Envelope
	}{
		{"other aggregate", event(WGClientDeleted{ServerID: "x", ClientID: "c"}, "x", 1)},
		{"payload for other server", event(WGClientDeleted{ServerID: "x", ClientID: "c"}, "srv", 1)},
		{"report", event(ServerReported{ServerID: "srv"}, "srv", 1)},
		{"user event", event(UserCreated{Email: "a@b.c"}, "srv", 1)},
	}
	for _, tt := range tests {
		if err := s.Apply(tt.env); !errors.Is(err, ErrUnexpectedEvent) {
			t.Errorf("%s: err = %v, want ErrUnexpectedEvent", tt.name, err)
		}
	}
	var fresh Server
	if err := fresh.Apply(event(WGClientDeleted{ServerID: "srv", ClientID: "c"}, "srv", 0)); !IsKind(err, KindNotFound) {
		t.Errorf("peer event before registration: %v", err)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	mustCreatePeer(t, s, 1)
	c := s.Clone()
	mustCreatePeer(t, s, 2)
	deletePeer(t, s, "c1")
	if len(c.Peers()) != 1 || c.Version != 2 {
		t.Fatalf("clone changed with the original: %d peers, version %d", len(c.Peers()), c.Version)
	}
	if got := mustCreatePeer(t, c, 3); got != "10.8.0.3" {
		t.Fatalf("clone allocated %s, want 10.8.0.3", got)
	}
	if p, _ := s.Peer("c2"); p.Address.String() != "10.8.0.3" {
		t.Fatalf("original changed with the clone: %v", p.Address)
	}
}
