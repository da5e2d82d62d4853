package contract

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Actor and source IP of the scenario's admin commands.
const (
	stateAdmin = "admin@example.com"
	stateIP    = "203.0.113.5"
)

// stateT0 is the time of the first event of every scenario.
var stateT0 = time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)

// stateFeed plays the API and the projector against a store: it decides
// commands against what the store returns, as the handlers do, appends the
// events to its own log and feeds them to the store.
type stateFeed struct {
	t       *testing.T
	ctx     context.Context
	h       StateHarness
	store   projections.StateStore
	clock   time.Time
	events  []projections.Decoded         // events topic, partition 0
	reports map[int][]projections.Decoded // reports topic by partition
}

func newStateFeed(t *testing.T, h StateHarness) *stateFeed {
	return &stateFeed{t: t, ctx: t.Context(), h: h, store: h.Store, clock: stateT0,
		reports: make(map[int][]projections.Decoded)}
}

// tick advances the scenario clock by a second and returns it.
func (f *stateFeed) tick() time.Time {
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

// record appends an event by stateAdmin to the log without applying it.
func (f *stateFeed) record(p domain.Payload, aggID string, seen int64) projections.Decoded {
	f.t.Helper()
	return f.recordAs(p, aggID, seen, stateAdmin, stateIP, f.tick())
}

// recordAs is record with every envelope field chosen by the caller.
func (f *stateFeed) recordAs(p domain.Payload, aggID string, seen int64, actor, ip string, at time.Time) projections.Decoded {
	f.t.Helper()
	env, err := domain.NewEvent(p, aggID, seen, actor, ip, at)
	if err != nil {
		f.t.Fatalf("new event %s: %v", p.EventType(), err)
	}
	d := projections.Decoded{Partition: 0, Offset: int64(len(f.events)), Event: env}
	f.events = append(f.events, d)
	return d
}

// apply feeds records of the events topic to the store.
func (f *stateFeed) apply(recs ...projections.Decoded) {
	f.t.Helper()
	if err := f.store.ApplyEvents(f.ctx, 0, recs); err != nil {
		f.t.Fatalf("apply events: %v", err)
	}
}

// do records an event and applies it at once.
func (f *stateFeed) do(p domain.Payload, aggID string, seen int64) projections.Decoded {
	f.t.Helper()
	d := f.record(p, aggID, seen)
	f.apply(d)
	return d
}

// server loads a server the store must know.
func (f *stateFeed) server(id string) *domain.Server {
	f.t.Helper()
	s, err := f.store.Server(f.ctx, id)
	if err != nil || s == nil {
		f.t.Fatalf("server %q: %v, %v", id, s, err)
	}
	return s
}

// register decides and applies the registration of server id.
func (f *stateFeed) register(id string) projections.Decoded {
	f.t.Helper()
	p, err := domain.DecideRegisterServer(nil, domain.RegisterServer{
		ID: id, Name: "Server " + id, Endpoint: id + ".example.com:51820", Subnet: "10.8.0.0/24",
		AgentTokenHash: domain.HashAgentToken("token-" + id)})
	if err != nil {
		f.t.Fatalf("decide register %s: %v", id, err)
	}
	return f.do(p, id, 0)
}

// stateKey derives a distinct WireGuard public key from seed.
func stateKey(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// createPeerCmd is the command creating peer name, with client id "c-"+name
// and data key "dk-"+serverID+"-"+name, which it creates in Keys.
func (f *stateFeed) createPeerCmd(serverID, name string) domain.CreatePeer {
	f.t.Helper()
	keyID := "dk-" + serverID + "-" + name
	if err := f.h.Keys.AddKey(f.ctx, keyID); err != nil {
		f.t.Fatalf("add key %s: %v", keyID, err)
	}
	return domain.CreatePeer{ClientID: "c-" + name, Name: name, PublicKey: stateKey(serverID + "/" + name),
		PrivateKeySealed: []byte("sealed-private-" + name), PresharedKeySealed: []byte("sealed-psk-" + name),
		KeyID: keyID}
}

// createPeer decides and applies the creation of a peer.
func (f *stateFeed) createPeer(serverID, name string) domain.WGClientCreated {
	f.t.Helper()
	s := f.server(serverID)
	p, err := s.DecideCreatePeer(f.createPeerCmd(serverID, name))
	if err != nil {
		f.t.Fatalf("decide create peer %s: %v", name, err)
	}
	f.do(p, serverID, s.Version)
	return p
}

// setEnabled decides and applies enabling or disabling a peer.
func (f *stateFeed) setEnabled(serverID, clientID string, on bool) {
	f.t.Helper()
	s := f.server(serverID)
	var (
		p   domain.Payload
		err error
	)
	if on {
		p, _, err = s.DecideEnablePeer(clientID)
	} else {
		p, _, err = s.DecideDisablePeer(clientID)
	}
	if err != nil {
		f.t.Fatalf("decide enable=%v %s: %v", on, clientID, err)
	}
	f.do(p, serverID, s.Version)
}

// deletePeer decides and applies the deletion of a peer.
func (f *stateFeed) deletePeer(serverID, clientID string) {
	f.t.Helper()
	s := f.server(serverID)
	p, err := s.DecideDeletePeer(clientID)
	if err != nil {
		f.t.Fatalf("decide delete %s: %v", clientID, err)
	}
	f.do(p, serverID, s.Version)
}

// createUser decides and applies the creation of a user.
func (f *stateFeed) createUser(email string, role domain.Role) domain.UserCreated {
	f.t.Helper()
	existing, err := f.store.User(f.ctx, email)
	if err != nil {
		f.t.Fatalf("user %s: %v", email, err)
	}
	p, err := domain.DecideCreateUser(existing, domain.CreateUser{UserID: fmt.Sprintf("u-%d", len(f.events)), Email: email,
		Role: role, PasswordHashSealed: []byte("sealed-hash"), KeyID: "dk-user-" + email})
	if err != nil {
		f.t.Fatalf("decide create user %s: %v", email, err)
	}
	f.do(p, p.Email, 0)
	return p
}
