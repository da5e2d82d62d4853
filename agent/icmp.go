package agent

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// errICMPUnavailable means no ICMP socket could be opened here.
var errICMPUnavailable = errors.New("no ICMP socket permitted")

// defaultProbeTimeout bounds a probe whose context has no deadline.
const defaultProbeTimeout = 5 * time.Second

// icmpEcho sends one echo request to dst and waits for its reply.
func icmpEcho(ctx context.Context, dst netip.Addr, id, seq int) (time.Duration, error) {
	c, unprivileged, err := listenICMP(dst.Is4())
	if err != nil {
		return 0, err
	}
	defer c.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(defaultProbeTimeout)
	}
	if err := c.SetDeadline(deadline); err != nil {
		return 0, fmt.Errorf("icmp probe %s: %w", dst, err)
	}
	// Cancelling ctx (shutdown) ends the wait at once.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()
	var typ, replyType icmp.Type = ipv4.ICMPTypeEcho, ipv4.ICMPTypeEchoReply
	proto := 1 // ICMP
	if !dst.Is4() {
		typ, replyType, proto = ipv6.ICMPTypeEchoRequest, ipv6.ICMPTypeEchoReply, 58
	}
	payload := []byte("sentrazone-agent")
	msg := icmp.Message{Type: typ, Body: &icmp.Echo{ID: id, Seq: seq, Data: payload}}
	b, err := msg.Marshal(nil)
	if err != nil {
		return 0, fmt.Errorf("icmp probe %s: %w", dst, err)
	}
	var to net.Addr = &net.IPAddr{IP: dst.AsSlice()}
	if unprivileged {
		to = &net.UDPAddr{IP: dst.AsSlice()}
	}
	start := time.Now()
	if _, err := c.WriteTo(b, to); err != nil {
		return 0, fmt.Errorf("icmp probe %s: send: %w", dst, err)
	}
	buf := make([]byte, 1500)
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return 0, fmt.Errorf("icmp probe %s: %w", dst, err)
		}
		rm, err := icmp.ParseMessage(proto, buf[:n])
		if err != nil || rm.Type != replyType {
			continue
		}
		echo, ok := rm.Body.(*icmp.Echo)
		// Ping sockets rewrite the ID to their port; raw sockets see every
		// reply on the host, so the ID must match there.
		if ok && echo.Seq == seq && (unprivileged || echo.ID == id) && bytes.Equal(echo.Data, payload) {
			return time.Since(start), nil
		}
	}
}

// listenICMP opens an unprivileged ping socket when ping_group_range admits
// one of our groups, else a raw ICMP socket.
func listenICMP(v4 bool) (c *icmp.PacketConn, unprivileged bool, err error) {
	udpNet, rawNet, wildcard := "udp4", "ip4:icmp", "0.0.0.0"
	if !v4 {
		udpNet, rawNet, wildcard = "udp6", "ip6:ipv6-icmp", "::"
	}
	if pingGroupAllowed() {
		if c, err := icmp.ListenPacket(udpNet, wildcard); err == nil {
			return c, true, nil
		}
	}
	c, err = icmp.ListenPacket(rawNet, wildcard)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", errICMPUnavailable, err)
	}
	return c, false, nil
}

// pingGroupAllowed reports whether net.ipv4.ping_group_range (which also
// governs IPv6 ping sockets) includes the process's group or one of its
// supplementary groups.
func pingGroupAllowed() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return false
	}
	lo, hi, ok := parseGroupRange(string(b))
	if !ok {
		return false
	}
	gids, _ := os.Getgroups()
	for _, g := range append(gids, os.Getgid()) {
		if g >= lo && g <= hi {
			return true
		}
	}
	return false
}

// parseGroupRange parses "lo\thi"; ok is false for a malformed or empty
// range ("1 0" disables ping sockets).
func parseGroupRange(s string) (lo, hi int, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	return lo, hi, err1 == nil && err2 == nil && lo <= hi
}
