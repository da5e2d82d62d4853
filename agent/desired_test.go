package agent

import (
	"net"
	"strings"
	"testing"

	"github.com/sentrazone/sentrazone/domain"
)

func TestParseDesired(t *testing.T) {
	pub, psk := testKey(1).String(), testKey(2).String()
	good := domain.AgentConfig{ServerID: "la", Version: 4, Address: "10.8.0.1/24", Peers: []domain.AgentPeer{
		{PublicKey: pub, PresharedKey: psk, AllowedIPs: []string{"10.8.0.2/32"}},
	}}
	ds, err := parseDesired(good, "la")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Version != 4 || ds.Address.String() != "10.8.0.1/24" || len(ds.Peers) != 1 ||
		ds.Peers[0].PresharedKey != testKey(2) || ds.Peers[0].AllowedIPs[0].String() != "10.8.0.2/32" {
		t.Fatalf("parsed %+v", ds)
	}
	bad := map[string]func(c *domain.AgentConfig){
		"for server":    func(c *domain.AgentConfig) { c.ServerID = "ny" },
		"address":       func(c *domain.AgentConfig) { c.Address = "10.8.0.1" },
		"public key":    func(c *domain.AgentConfig) { c.Peers[0].PublicKey = "xx" },
		"preshared key": func(c *domain.AgentConfig) { c.Peers[0].PresharedKey = "not-a-secret-key" },
		"allowed ip":    func(c *domain.AgentConfig) { c.Peers[0].AllowedIPs = []string{"10.8.0.300/32"} },
		"duplicate":     func(c *domain.AgentConfig) { c.Peers = append(c.Peers, c.Peers[0]) },
	}
	for want, mutate := range bad {
		c := good
		c.Peers = append([]domain.AgentPeer(nil), good.Peers...)
		mutate(&c)
		_, err := parseDesired(c, "la")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
		if err != nil && strings.Contains(err.Error(), "not-a-secret-key") {
			t.Errorf("error quotes the preshared key: %v", err)
		}
	}
}

func TestSameAllowedIPs(t *testing.T) {
	mapped := net.IPNet{IP: net.ParseIP("10.8.0.2"), Mask: net.CIDRMask(128, 128)} // ::ffff:10.8.0.2/128
	tests := []struct {
		a, b []net.IPNet
		want bool
	}{
		{cidrs(t, "10.8.0.2/32"), cidrs(t, "10.8.0.2/32"), true},
		{cidrs(t, "10.8.0.2/32", "fd00::/64"), cidrs(t, "fd00::/64", "10.8.0.2/32"), true},
		{[]net.IPNet{mapped}, cidrs(t, "10.8.0.2/32"), true},
		{cidrs(t, "10.8.0.2/32", "10.8.0.2/32"), cidrs(t, "10.8.0.2/32"), true},
		{cidrs(t, "10.8.0.2/32"), cidrs(t, "10.8.0.3/32"), false},
		{cidrs(t, "10.8.0.2/32"), cidrs(t, "10.8.0.2/31"), false},
		{nil, cidrs(t, "10.8.0.2/32"), false},
		{nil, nil, true},
	}
	for _, tt := range tests {
		if got := sameAllowedIPs(tt.a, tt.b); got != tt.want {
			t.Errorf("sameAllowedIPs(%v, %v) = %v", tt.a, tt.b, got)
		}
	}
	a, b := cidrs(t, "10.8.0.2/32", "fd00::/64"), cidrs(t, "10.8.0.2/32", "fd00::/64")
	if n := testing.AllocsPerRun(10, func() { sameAllowedIPs(a, b) }); n != 0 {
		t.Fatalf("%v allocations for equal lists in the same order", n)
	}
}
