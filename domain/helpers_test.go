package domain

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

// testKey returns a distinct, valid WireGuard public key for i.
func testKey(i int) string {
	var b [32]byte
	binary.BigEndian.PutUint64(b[:8], uint64(i))
	b[31] = 0x5a
	return base64.StdEncoding.EncodeToString(b[:])
}

// event wraps p in an envelope at version v, skipping the id and clock of
// NewEvent; Apply needs neither.
func event(p Payload, aggID string, v int64) Envelope {
	return Envelope{Type: p.EventType(), SchemaVersion: 1, AggregateID: aggID, AggregateVersion: v, Actor: ActorSystem, Payload: p}
}

// newTestServer registers server "srv" with the given subnet.
func newTestServer(t testing.TB, subnet string) *Server {
	t.Helper()
	p, err := DecideRegisterServer(nil, RegisterServer{ID: "srv", Endpoint: "vpn.example.com:51820", Subnet: subnet})
	if err != nil {
		t.Fatalf("decide register: %v", err)
	}
	var s Server
	if err := s.Apply(event(p, "srv", 0)); err != nil {
		t.Fatalf("apply register: %v", err)
	}
	return &s
}

// createPeer decides and applies the creation of peer n named "peer-<n>".
func createPeer(t testing.TB, s *Server, n int) (WGClientCreated, error) {
	t.Helper()
	p, err := s.DecideCreatePeer(CreatePeer{
		ClientID:         fmt.Sprintf("c%d", n),
		Name:             fmt.Sprintf("peer-%d", n),
		PublicKey:        testKey(n),
		PrivateKeySealed: []byte{1, 2, 3},
		KeyID:            fmt.Sprintf("k%d", n),
	})
	if err != nil {
		return p, err
	}
	if err := s.Apply(event(p, s.ID, s.Version)); err != nil {
		t.Fatalf("apply create %d: %v", n, err)
	}
	return p, nil
}

// mustCreatePeer is createPeer failing the test on error; it returns the
// allocated address.
func mustCreatePeer(t testing.TB, s *Server, n int) string {
	t.Helper()
	p, err := createPeer(t, s, n)
	if err != nil {
		t.Fatalf("create peer %d: %v", n, err)
	}
	return p.Address
}

// deletePeer decides and applies the deletion of a peer.
func deletePeer(t testing.TB, s *Server, clientID string) {
	t.Helper()
	p, err := s.DecideDeletePeer(clientID)
	if err != nil {
		t.Fatalf("decide delete %s: %v", clientID, err)
	}
	if err := s.Apply(event(p, s.ID, s.Version)); err != nil {
		t.Fatalf("apply delete %s: %v", clientID, err)
	}
}

// samplePayloads holds one fully populated payload per registered event
// type. Adding an event type without a sample here fails the codec tests.
func samplePayloads() []Payload {
	at := time.Date(2026, 5, 6, 12, 0, 0, 123456789, time.UTC)
	return []Payload{
		ServerRegistered{ServerID: "los-angeles", Name: "Los Angeles", Endpoint: "la.example.com:51820",
			Subnet: "10.8.0.0/24", DNS: "1.1.1.1, 8.8.8.8", AgentTokenHash: HashAgentToken("secret")},
		ServerReported{ServerID: "los-angeles", PingMS: 12.4, PingOK: true, Peers: 2,
			TransferRx: 1<<63 + 5, TransferTx: 524288, ReportedAt: at,
			Interface: &InterfaceInfo{PublicKey: testKey(0), ListenPort: 51820},
			PeerStats: []PeerStat{
				{PublicKey: testKey(1), Endpoint: "203.0.113.9:4444", LatestHandshakeAt: at, TransferRx: 10, TransferTx: 20},
				{PublicKey: testKey(2)},
			},
			AppliedVersion: 42},
		WGClientCreated{ServerID: "los-angeles", ClientID: "abc123", Name: "alice-iphone", Address: "10.8.0.2",
			PublicKey: testKey(1), PrivateKeySealed: []byte{0, 1, 2, 255}, PresharedKeySealed: []byte{}, KeyID: "dk-1"},
		WGClientEnabled{ServerID: "los-angeles", ClientID: "abc123"},
		WGClientDisabled{ServerID: "los-angeles", ClientID: "abc123"},
		WGClientDeleted{ServerID: "los-angeles", ClientID: "abc123"},
		UserCreated{UserID: "u1", Email: "admin@example.com", Role: RoleAdmin, PasswordHashSealed: []byte("sealed"), KeyID: "dk-2"},
		LoginSucceeded{UserID: "u1", Email: "admin@example.com"},
		LoginFailed{Email: "who@example.com", Reason: "unknown_user"},
		AuditExported{Filters: map[string]string{"actor": "admin@example.com", "since": "2026-05-01"}, Rows: 1234},
		SettingsChanged{Key: "report_interval", Value: "10s"},
		CommandRejected{Command: "create_peer", Target: "los-angeles/alice", Code: KindFull, Reason: "no free address"},
	}
}
