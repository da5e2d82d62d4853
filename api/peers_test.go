package api

import (
	"net/netip"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

const (
	testServerKey = "SERVERpubKEYSERVERpubKEYSERVERpubKEYSERVER="
	testPeerKey   = "PEERpubKEYPEERpubKEYPEERpubKEYPEERpubKEYabc="
)

func testPeer(id, name, addr string) projections.PeerView {
	return projections.PeerView{ServerID: "los-angeles", Peer: domain.Peer{
		ClientID: id, Name: name, Address: netip.MustParseAddr(addr), PublicKey: testPeerKey, Enabled: true,
	}}
}

// withServer registers los-angeles (public key known) with two peers.
func withServer(e *env) {
	e.state.servers["los-angeles"] = projections.ServerView{
		ID: "los-angeles", Name: "LA", Endpoint: "vpn.example.com:51820", Subnet: "10.8.0.0/24",
		DNS: "1.1.1.1, 9.9.9.9", PublicKey: testServerKey, ListenPort: 51820, RegisteredAt: testNow.Add(-time.Hour),
	}
	hs := testNow.Add(-5 * time.Minute)
	alice := testPeer("c1", "alice-iphone", "10.8.0.2")
	alice.LatestHandshakeAt, alice.TransferRx, alice.TransferTx = &hs, 2097152, 1048576
	e.state.peers["los-angeles"] = []projections.PeerView{alice, testPeer("c2", "bob", "10.8.0.3")}
}

func TestListPeers(t *testing.T) {
	e := newEnv(t)
	withServer(e)
	r := e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/los-angeles", "").want(t, 200)
	var got []map[string]any
	r.decode(t, &got)
	if len(got) != 2 {
		t.Fatalf("%s", r.body)
	}
	for _, p := range got {
		if keysOf(p) != "address,enabled,id,latestHandshakeAt,name,publicKey,transferRx,transferTx" {
			t.Fatalf("fields %s", keysOf(p))
		}
	}
	a, b := got[0], got[1]
	if a["id"] != "c1" || a["address"] != "10.8.0.2" || a["latestHandshakeAt"] != "2026-05-06T11:55:00Z" ||
		a["transferRx"] != 2097152.0 || a["publicKey"] != testPeerKey || a["enabled"] != true {
		t.Errorf("alice %v", a)
	}
	if b["latestHandshakeAt"] != nil || b["transferRx"] != 0.0 || b["transferTx"] != 0.0 {
		t.Errorf("bob before any stats %v", b)
	}
	e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/nowhere", "").want(t, 404, CodeNotFound)
	e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/NOT_AN_ID", "").want(t, 404, CodeNotFound)
}

func TestCreatePeer(t *testing.T) {
	e := newEnv(t)
	var gotActor Actor
	e.cmd.createPeer = func(a Actor, serverID, name string) (projections.PeerView, error) {
		gotActor = a
		switch name {
		case "dup":
			return projections.PeerView{}, &domain.Error{Kind: domain.KindConflict, Message: `a peer named "dup" already exists`}
		case "full":
			return projections.PeerView{}, &domain.Error{Kind: domain.KindFull, Message: "server has no free address"}
		case "":
			return projections.PeerView{}, &domain.Error{Kind: domain.KindInvalid, Message: "peer name is invalid"}
		}
		if serverID != "los-angeles" {
			return projections.PeerView{}, &domain.Error{Kind: domain.KindNotFound, Message: "server not found"}
		}
		return testPeer("c9", name, "10.8.0.9"), nil
	}
	r := e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", `{"name":"alice-iphone"}`).want(t, 201)
	var got map[string]any
	r.decode(t, &got)
	if keysOf(got) != "address,enabled,id,name,publicKey" || got["id"] != "c9" || got["name"] != "alice-iphone" ||
		got["address"] != "10.8.0.9" || got["enabled"] != true {
		t.Fatalf("created peer %s", r.body)
	}
	if gotActor.Email != "admin@example.com" || gotActor.IP == "" {
		t.Errorf("actor %+v", gotActor)
	}
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", `{"name":""}`).want(t, 400, CodeInvalid)
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", `{"name":"dup"}`).want(t, 409, CodeConflict)
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", `{"name":"full"}`).want(t, 409, CodeFull)
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/tokyo", `{"name":"x"}`).want(t, 404, CodeNotFound)
	for _, body := range []string{`{"name":1}`, `{"name":"x","extra":true}`, `{"name":`, `{"name":"x"} {}`, ``} {
		e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", body).want(t, 400, CodeBadRequest)
	}
	r = e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles", `{"name":["x"]}`).want(t, 400, CodeBadRequest)
	if m := r.message(t); m != `field "name" must be a string, got array` {
		t.Errorf("message %q does not name the field", m)
	}
}

func TestPeerActionAndDelete(t *testing.T) {
	e := newEnv(t)
	e.cmd.setPeerEnabled = func(_ Actor, serverID, clientID string, enabled bool) (projections.PeerView, error) {
		if clientID != "c1" {
			return projections.PeerView{}, &domain.Error{Kind: domain.KindNotFound, Message: "peer not found"}
		}
		p := testPeer("c1", "alice", "10.8.0.2")
		p.Peer.Enabled = enabled
		return p, nil
	}
	e.cmd.deletePeer = func(_ Actor, serverID, clientID string) error {
		if clientID != "c1" {
			return &domain.Error{Kind: domain.KindNotFound, Message: "peer not found"}
		}
		return nil
	}
	var got map[string]any
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles/c1/disable", "").want(t, 200).decode(t, &got)
	if got["enabled"] != false || got["id"] != "c1" {
		t.Errorf("disable: %v", got)
	}
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles/c1/enable", "").want(t, 200).decode(t, &got)
	if got["enabled"] != true {
		t.Errorf("enable: %v", got)
	}
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles/c1/explode", "").want(t, 400, CodeBadRequest)
	e.as(t, domain.RoleAdmin, "POST", "/api/wg-clients/los-angeles/zz/enable", "").want(t, 404, CodeNotFound)

	r := e.as(t, domain.RoleAdmin, "DELETE", "/api/wg-clients/los-angeles/c1", "").want(t, 204)
	if len(r.body) != 0 {
		t.Errorf("204 with body %q", r.body)
	}
	e.as(t, domain.RoleAdmin, "DELETE", "/api/wg-clients/los-angeles/zz", "").want(t, 404, CodeNotFound)
}

func TestClientIPFromProxyOnlyWhenTrusted(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e := newEnv(t, func(c *Config) { c.TrustProxy = trust })
		var ip string
		e.cmd.createPeer = func(a Actor, _, name string) (projections.PeerView, error) {
			ip = a.IP
			return testPeer("c1", name, "10.8.0.2"), nil
		}
		e.do(t, "POST", "/api/wg-clients/los-angeles", `{"name":"x"}`,
			"Authorization", "Bearer "+e.token(domain.RoleAdmin), "X-Forwarded-For", "203.0.113.7, 10.0.0.1").want(t, 201)
		if got := ip == "203.0.113.7"; got != trust {
			t.Errorf("TrustProxy=%t: actor IP %q", trust, ip)
		}
	}
}
