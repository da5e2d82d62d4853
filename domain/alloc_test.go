package domain

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestAllocFirstPeerGetsDot2(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	for i, want := range []string{"10.8.0.2", "10.8.0.3", "10.8.0.4"} {
		if got := mustCreatePeer(t, s, i); got != want {
			t.Fatalf("peer %d got %s, want %s", i, got, want)
		}
	}
	if got := s.ServerAddress().String(); got != "10.8.0.1" {
		t.Fatalf("server address = %s, want 10.8.0.1", got)
	}
}

func TestAllocReusesLowestFreed(t *testing.T) {
	s := newTestServer(t, "10.8.0.0/24")
	for i := range 5 { // .2 .. .6
		mustCreatePeer(t, s, i)
	}
	deletePeer(t, s, "c3") // .5
	deletePeer(t, s, "c1") // .3
	for i, want := range []string{"10.8.0.3", "10.8.0.5", "10.8.0.7"} {
		if got := mustCreatePeer(t, s, 10+i); got != want {
			t.Fatalf("create %d got %s, want %s", i, got, want)
		}
	}
}

func TestAllocSlash30HasOneClient(t *testing.T) {
	s := newTestServer(t, "192.168.7.4/30")
	if got := mustCreatePeer(t, s, 1); got != "192.168.7.6" {
		t.Fatalf("only client address = %s, want 192.168.7.6 (.2 of the /30)", got)
	}
	_, err := createPeer(t, s, 2)
	if !IsKind(err, KindFull) {
		t.Fatalf("second peer on /30: err = %v, want KindFull", err)
	}
	if !strings.Contains(err.Error(), "192.168.7.4/30") || !strings.Contains(err.Error(), "all 1 client addresses") {
		t.Fatalf("full error should name the subnet and its size: %v", err)
	}
}

func TestAllocFullSubnet(t *testing.T) {
	s := newTestServer(t, "10.9.0.0/28") // 16 addresses: 13 for clients
	for i := range 13 {
		mustCreatePeer(t, s, i)
	}
	if _, err := createPeer(t, s, 99); !IsKind(err, KindFull) {
		t.Fatalf("err = %v, want KindFull", err)
	}
	deletePeer(t, s, "c7")
	if got := mustCreatePeer(t, s, 100); got != "10.9.0.9" {
		t.Fatalf("after freeing .9 got %s", got)
	}
}

// TestAllocProperty runs random create/delete sequences against a brute
// force model: addresses are never handed out twice among live peers, never
// the network, server or broadcast address, and always the lowest free one.
func TestAllocProperty(t *testing.T) {
	for _, subnet := range []string{"10.8.0.0/24", "172.16.5.240/28"} {
		t.Run(subnet, func(t *testing.T) {
			prefix := netip.MustParsePrefix(subnet)
			s := newTestServer(t, subnet)
			rng := rand.New(rand.NewPCG(1, uint64(prefix.Bits())))
			live := map[netip.Addr]string{} // address -> client id
			next := 0
			for step := range 6000 {
				if len(live) > 0 && rng.IntN(100) < 45 {
					ids := slices.Sorted(maps.Values(live))
					id := ids[rng.IntN(len(ids))]
					p, _ := s.Peer(id)
					deletePeer(t, s, id)
					delete(live, p.Address)
					continue
				}
				next++
				want, ok := modelLowestFree(prefix, live)
				p, err := createPeer(t, s, next)
				if !ok {
					if !IsKind(err, KindFull) {
						t.Fatalf("step %d: model is full, got %v", step, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: create: %v", step, err)
				}
				got := netip.MustParseAddr(p.Address)
				if got == prefix.Addr() || got == s.ServerAddress() || !prefix.Contains(got.Next()) {
					t.Fatalf("step %d: handed out reserved address %s", step, got)
				}
				if got != want {
					t.Fatalf("step %d: got %s, want lowest free %s", step, got, want)
				}
				if _, dup := live[got]; dup {
					t.Fatalf("step %d: %s handed out twice", step, got)
				}
				live[got] = p.ClientID
			}
			if len(s.Peers()) != len(live) {
				t.Fatalf("server has %d peers, model %d", len(s.Peers()), len(live))
			}
		})
	}
}

// modelLowestFree scans every client address of prefix in order.
func modelLowestFree(prefix netip.Prefix, live map[netip.Addr]string) (netip.Addr, bool) {
	network := prefix.Addr()
	server := network.Next()
	for a := server.Next(); prefix.Contains(a); a = a.Next() {
		if !prefix.Contains(a.Next()) { // a is the broadcast address
			break
		}
		if _, used := live[a]; !used {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// TestAllocLargeSubnet creates tens of thousands of peers on a /16; with a
// quadratic allocator this would take minutes.
func TestAllocLargeSubnet(t *testing.T) {
	n := 40000
	if testing.Short() {
		n = 5000
	}
	s := newTestServer(t, "10.20.0.0/16")
	for i := range n {
		mustCreatePeer(t, s, i)
	}
	deletePeer(t, s, "c300")
	if got := mustCreatePeer(t, s, n); got != "10.20.1.46" {
		t.Fatalf("reused address = %s, want 10.20.1.46", got)
	}
	want := fmt.Sprintf("10.20.%d.%d", (n+2)/256, (n+2)%256)
	if got := mustCreatePeer(t, s, n+1); got != want {
		t.Fatalf("next address = %s, want %s", got, want)
	}
}

func TestAddrPoolScansWords(t *testing.T) {
	p := newAddrPool(netip.MustParsePrefix("10.0.0.0/8"))
	for off := uint32(2); off < 200; off++ {
		p.take(off)
	}
	if a, _ := p.next(); a.String() != "10.0.0.200" {
		t.Fatalf("next = %s", a)
	}
	p.take(p.last)
	p.release(70)
	if a, _ := p.next(); a.String() != "10.0.0.70" {
		t.Fatalf("after release next = %s", a)
	}
	p.take(70)
	if a, _ := p.next(); a.String() != "10.0.0.200" {
		t.Fatalf("after retake next = %s", a)
	}
}

func BenchmarkCreatePeersSlash16(b *testing.B) {
	for b.Loop() {
		s := newTestServer(b, "10.20.0.0/16")
		for i := range 10000 {
			mustCreatePeer(b, s, i)
		}
	}
}
