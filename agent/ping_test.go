package agent

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"
)

func loopbackListener(t *testing.T) (port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	_, port, _ = net.SplitHostPort(l.Addr().String())
	return port
}

func TestPingLoopback(t *testing.T) {
	port := loopbackListener(t)
	p := newPinger("127.0.0.1", port, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		rtt, err := p.Probe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rtt <= 0 || rtt > 5*time.Second {
			t.Fatalf("rtt = %v", rtt)
		}
	}
	if os.Geteuid() == 0 && p.mode != probeICMP {
		t.Fatal("root fell back to TCP: raw ICMP should be permitted")
	}
}

func TestPingTCPFallback(t *testing.T) {
	port := loopbackListener(t)
	p := newPinger("localhost", port, slog.New(slog.DiscardHandler))
	p.mode = probeTCP
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rtt, err := p.Probe(ctx); err != nil || rtt <= 0 {
		t.Fatalf("rtt %v, err %v", rtt, err)
	}
	// A closed port fails: the report then carries a null ping.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	_ = l.Close()
	p.tcpPort = closed
	if _, err := p.Probe(ctx); err == nil {
		t.Fatal("probe of a closed port succeeded")
	}
}

func TestParseGroupRange(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi int
		ok     bool
	}{
		{"0\t2147483647\n", 0, 2147483647, true},
		{"1\t0\n", 1, 0, false},
		{"100 200", 100, 200, true},
		{"", 0, 0, false},
		{"x y", 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, ok := parseGroupRange(tt.in)
		if ok != tt.ok || (ok && (lo != tt.lo || hi != tt.hi)) {
			t.Errorf("parseGroupRange(%q) = %d, %d, %v", tt.in, lo, hi, ok)
		}
	}
}
