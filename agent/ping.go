package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Prober measures the round trip to the ping target.
type Prober interface {
	Probe(ctx context.Context) (time.Duration, error)
}

// probeMode is how the pinger measures.
type probeMode int

const (
	probeICMP probeMode = iota // ICMP echo (unprivileged or raw socket)
	probeTCP                   // TCP connect time
)

// pinger sends an ICMP echo to the target when the system lets it open an
// ICMP socket (an unprivileged "ping" socket when ping_group_range allows
// it, else a raw socket, which needs root or CAP_NET_RAW); otherwise it
// measures the time to open a TCP connection to host:tcpPort.
type pinger struct {
	host    string
	tcpPort string
	log     *slog.Logger

	mu   sync.Mutex
	mode probeMode
	id   int
	seq  int
}

// newPinger probes host; tcpPort is used for the TCP fallback.
func newPinger(host, tcpPort string, log *slog.Logger) *pinger {
	return &pinger{host: host, tcpPort: tcpPort, log: log, id: int(time.Now().UnixNano() & 0xffff)}
}

// Probe measures one round trip; ctx bounds it.
func (p *pinger) Probe(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	addr, err := resolve(ctx, p.host)
	if err != nil {
		return 0, err
	}
	if p.mode == probeICMP {
		p.seq = (p.seq + 1) & 0xffff
		d, err := icmpEcho(ctx, addr, p.id, p.seq)
		if !errors.Is(err, errICMPUnavailable) {
			return d, err
		}
		p.log.Info("ICMP is not permitted, measuring ping as TCP connect time",
			"target", p.host, "port", p.tcpPort, "error", err.Error())
		p.mode = probeTCP
	}
	return tcpConnect(ctx, addr, p.tcpPort)
}

// resolve returns host's address, IPv4 preferred.
func resolve(ctx context.Context, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap(), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("resolve ping target %s: %w", host, err)
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("resolve ping target %s: no address", host)
	}
	return addrs[0], nil
}

// tcpConnect measures how long opening a TCP connection takes.
func tcpConnect(ctx context.Context, addr netip.Addr, port string) (time.Duration, error) {
	target := net.JoinHostPort(addr.String(), port)
	var d net.Dialer
	start := time.Now()
	c, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		return 0, fmt.Errorf("tcp probe %s: %w", target, err)
	}
	rtt := time.Since(start)
	_ = c.Close()
	return rtt, nil
}
