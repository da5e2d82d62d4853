package domain

import (
	"strings"
	"testing"
)

func TestDecideRegisterServer(t *testing.T) {
	valid := RegisterServer{ID: "los-angeles", Endpoint: "la.example.com:51820"}
	tests := []struct {
		name string
		edit func(c *RegisterServer)
		want ServerRegistered // checked when ok
		ok   bool
	}{
		{"defaults", func(*RegisterServer) {}, ServerRegistered{ServerID: "los-angeles", Name: "los-angeles",
			Endpoint: "la.example.com:51820", Subnet: "10.8.0.0/24", DNS: "1.1.1.1"}, true},
		{"all fields", func(c *RegisterServer) {
			c.Name, c.Subnet, c.DNS, c.Endpoint = "Los Angeles ✈", "10.44.0.9/16", " 9.9.9.9 ,2620:fe::fe", "[2001:db8::1]:443"
		}, ServerRegistered{ServerID: "los-angeles", Name: "Los Angeles ✈", Endpoint: "[2001:db8::1]:443",
			Subnet: "10.44.0.0/16", DNS: "9.9.9.9, 2620:fe::fe"}, true},
		{"ip endpoint", func(c *RegisterServer) { c.Endpoint = "203.0.113.7:1" }, ServerRegistered{}, true},
		{"id 63 chars", func(c *RegisterServer) { c.ID = strings.Repeat("a", 63) }, ServerRegistered{}, true},
		{"id empty", func(c *RegisterServer) { c.ID = "" }, ServerRegistered{}, false},
		{"id uppercase", func(c *RegisterServer) { c.ID = "LA" }, ServerRegistered{}, false},
		{"id leading dash", func(c *RegisterServer) { c.ID = "-la" }, ServerRegistered{}, false},
		{"id 64 chars", func(c *RegisterServer) { c.ID = strings.Repeat("a", 64) }, ServerRegistered{}, false},
		{"id underscore", func(c *RegisterServer) { c.ID = "los_angeles" }, ServerRegistered{}, false},
		{"subnet ipv6", func(c *RegisterServer) { c.Subnet = "fd00::/64" }, ServerRegistered{}, false},
		{"subnet /31", func(c *RegisterServer) { c.Subnet = "10.8.0.0/31" }, ServerRegistered{}, false},
		{"subnet /7", func(c *RegisterServer) { c.Subnet = "10.0.0.0/7" }, ServerRegistered{}, false},
		{"subnet garbage", func(c *RegisterServer) { c.Subnet = "10.8.0.0" }, ServerRegistered{}, false},
		{"dns garbage", func(c *RegisterServer) { c.DNS = "1.1.1.1,dns.google" }, ServerRegistered{}, false},
		{"dns trailing comma", func(c *RegisterServer) { c.DNS = "1.1.1.1," }, ServerRegistered{}, false},
		{"endpoint no port", func(c *RegisterServer) { c.Endpoint = "la.example.com" }, ServerRegistered{}, false},
		{"endpoint port 0", func(c *RegisterServer) { c.Endpoint = "la.example.com:0" }, ServerRegistered{}, false},
		{"endpoint port 65536", func(c *RegisterServer) { c.Endpoint = "la.example.com:65536" }, ServerRegistered{}, false},
		{"endpoint no host", func(c *RegisterServer) { c.Endpoint = ":51820" }, ServerRegistered{}, false},
		{"endpoint bad host", func(c *RegisterServer) { c.Endpoint = "la example.com:51820" }, ServerRegistered{}, false},
		{"endpoint empty", func(c *RegisterServer) { c.Endpoint = "" }, ServerRegistered{}, false},
		{"name control char", func(c *RegisterServer) { c.Name = "a\nb" }, ServerRegistered{}, false},
		{"token hash short", func(c *RegisterServer) { c.AgentTokenHash = []byte{1, 2} }, ServerRegistered{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := valid
			tt.edit(&cmd)
			got, err := DecideRegisterServer(nil, cmd)
			if !tt.ok {
				if !IsKind(err, KindInvalid) {
					t.Fatalf("err = %v, want KindInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.want.ServerID != "" && !equalRegistered(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equalRegistered(a, b ServerRegistered) bool {
	return a.ServerID == b.ServerID && a.Name == b.Name && a.Endpoint == b.Endpoint &&
		a.Subnet == b.Subnet && a.DNS == b.DNS && string(a.AgentTokenHash) == string(b.AgentTokenHash)
}

func TestRegisterServerConflictAndApply(t *testing.T) {
	cmd := RegisterServer{ID: "srv", Endpoint: "vpn.example.com:51820", AgentTokenHash: HashAgentToken("t")}
	s := newTestServer(t, "")
	if _, err := DecideRegisterServer(s, cmd); !IsKind(err, KindConflict) {
		t.Fatalf("second registration: err = %v, want KindConflict", err)
	}
	if s.Version != 1 || s.Subnet.String() != DefaultSubnet || s.DNS != DefaultDNS || s.ServerAddress().String() != "10.8.0.1" {
		t.Fatalf("unexpected state %+v", s)
	}
	p, err := DecideRegisterServer(nil, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(event(p, "srv", 1)); !IsKind(err, KindConflict) || s.Version != 1 {
		t.Fatalf("re-apply registration: err = %v, version %d", err, s.Version)
	}
}

func TestAuditTargets(t *testing.T) {
	for _, p := range samplePayloads() {
		e := event(p, "x", 0)
		if e.AuditAction() != string(p.EventType()) {
			t.Errorf("%T action = %q", p, e.AuditAction())
		}
		want := map[EventType]string{
			EventServerRegistered: "los-angeles", EventServerReported: "los-angeles",
			EventWGClientCreated: "los-angeles/alice-iphone", EventWGClientEnabled: "los-angeles/abc123",
			EventWGClientDisabled: "los-angeles/abc123", EventWGClientDeleted: "los-angeles/abc123",
			EventUserCreated: "admin@example.com", EventLoginSucceeded: "admin@example.com",
			EventLoginFailed: "who@example.com", EventAuditExported: AuditLogTarget,
			EventSettingsChanged: "report_interval", EventCommandRejected: "los-angeles/alice",
		}[p.EventType()]
		if got := e.AuditTarget(); got != want {
			t.Errorf("%T target = %q, want %q", p, got, want)
		}
	}
}

func TestNewCommandRejected(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/30")
	mustCreatePeer(t, s, 1)
	_, err := createPeer(t, s, 2)
	r := NewCommandRejected("create_peer", "srv/peer-2", err)
	if r.Code != KindFull || !strings.Contains(r.Reason, "no free address") || r.AuditTarget() != "srv/peer-2" {
		t.Fatalf("unexpected rejection %+v", r)
	}
}
