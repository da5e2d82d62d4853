package agent

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// uapiGet parses the text of a UAPI "get" operation
// (https://www.wireguard.com/xplatform/#configuration-protocol) into a
// wgtypes.Device with the values wgctrl would give. It is the io.Writer
// wireguard-go's IpcGetOperation writes to, and parses as it is written:
// only an unfinished line is kept between writes. Unlike wgctrl it
// allocates little per peer (keys and numbers are decoded in place, the
// peers' allowed IPs and endpoints share a few arrays), because the agent
// reads the whole device at every report.
type uapiGet struct {
	d     wgtypes.Device
	err   error
	carry []byte // an unfinished line
	done  bool   // an empty line ended the operation
	// hsSec is the current peer's last_handshake_time_sec.
	hsSec int64
	// Backing arrays shared by the peers.
	nets  []net.IPNet
	bytes []byte
	addrs []net.UDPAddr
}

// newUAPIGet sizes the arrays for about peers peers with ips allowed IPs
// in all, e.g. the counts of the last read.
func newUAPIGet(peers, ips int) *uapiGet {
	return &uapiGet{
		d:     wgtypes.Device{Peers: make([]wgtypes.Peer, 0, peers)},
		nets:  make([]net.IPNet, 0, ips),
		bytes: make([]byte, 0, 8*ips),
	}
}

// reset readies g for another read that reuses its arrays: whatever the
// last device held is overwritten.
func (g *uapiGet) reset() {
	*g = uapiGet{
		d:     wgtypes.Device{Peers: g.d.Peers[:0]},
		carry: g.carry[:0],
		nets:  g.nets[:0],
		bytes: g.bytes[:0],
		addrs: g.addrs[:0],
	}
}

// Write implements io.Writer.
func (g *uapiGet) Write(p []byte) (int, error) {
	n := len(p)
	if len(g.carry) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			g.carry = append(g.carry, p...)
			return n, nil
		}
		g.carry = append(g.carry, p[:i]...)
		g.line(g.carry)
		g.carry, p = g.carry[:0], p[i+1:]
	}
	for len(p) > 0 && !g.done && g.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			g.carry = append(g.carry, p...)
			break
		}
		g.line(p[:i])
		p = p[i+1:]
	}
	return n, nil
}

// device returns the parsed device: a trailing unfinished line counts.
func (g *uapiGet) device() (*wgtypes.Device, error) {
	if len(g.carry) > 0 {
		g.line(g.carry)
		g.carry = nil
	}
	if g.err != nil {
		return nil, fmt.Errorf("parse uapi get: %w", g.err)
	}
	g.d.PublicKey = g.d.PrivateKey.PublicKey()
	return &g.d, nil
}

// line parses one key=value line.
func (g *uapiGet) line(b []byte) {
	if g.done || g.err != nil {
		return
	}
	if len(b) == 0 {
		g.done = true
		return
	}
	k, v, ok := bytes.Cut(b, []byte("="))
	if !ok {
		g.err = fmt.Errorf("invalid key=value pair %q", b)
		return
	}
	if string(k) == "public_key" {
		g.d.Peers = append(g.d.Peers, wgtypes.Peer{PublicKey: g.key(v)})
		g.hsSec = 0
		return
	}
	if len(g.d.Peers) == 0 {
		switch string(k) {
		case "private_key":
			g.d.PrivateKey = g.key(v)
		case "listen_port":
			g.d.ListenPort = int(g.int(v))
		case "fwmark":
			g.d.FirewallMark = int(g.int(v))
		}
		return
	}
	p := &g.d.Peers[len(g.d.Peers)-1]
	switch string(k) {
	case "preshared_key":
		p.PresharedKey = g.key(v)
	case "endpoint":
		p.Endpoint = g.endpoint(v)
	case "last_handshake_time_sec":
		g.hsSec = g.int(v)
	case "last_handshake_time_nsec":
		if ns := g.int(v); g.hsSec > 0 || ns > 0 {
			p.LastHandshakeTime = time.Unix(g.hsSec, ns)
		}
	case "tx_bytes":
		p.TransmitBytes = g.int(v)
	case "rx_bytes":
		p.ReceiveBytes = g.int(v)
	case "persistent_keepalive_interval":
		p.PersistentKeepaliveInterval = time.Duration(g.int(v)) * time.Second
	case "allowed_ip":
		g.allowedIP(p, v)
	case "protocol_version":
		p.ProtocolVersion = int(g.int(v))
	}
}

func (g *uapiGet) key(v []byte) wgtypes.Key {
	var k wgtypes.Key
	if len(v) != 2*len(k) {
		g.err = fmt.Errorf("key of %d hex digits, want %d", len(v), 2*len(k))
		return k
	}
	if _, err := hex.Decode(k[:], v); err != nil {
		g.err = fmt.Errorf("key: %w", err)
	}
	return k
}

func (g *uapiGet) int(v []byte) int64 {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		g.err = err
	}
	return n
}

// ip copies a's bytes (4 for IPv4, else 16, as net.IP.AsSlice) into the
// shared array.
func (g *uapiGet) ip(a netip.Addr) net.IP {
	start := len(g.bytes)
	if a.Is4() {
		b := a.As4()
		g.bytes = append(g.bytes, b[:]...)
	} else {
		b := a.As16()
		g.bytes = append(g.bytes, b[:]...)
	}
	return g.bytes[start:len(g.bytes):len(g.bytes)]
}

// allowedIP appends a prefix to p's allowed IPs, as net.ParseCIDR gives it
// (masked, 4-byte IPv4).
func (g *uapiGet) allowedIP(p *wgtypes.Peer, v []byte) {
	pfx, err := netip.ParsePrefix(string(v))
	if err != nil {
		g.err = err
		return
	}
	pfx = pfx.Masked()
	ip := g.ip(pfx.Addr())
	start := len(g.bytes)
	for i := range ip {
		ones := min(max(pfx.Bits()-8*i, 0), 8)
		g.bytes = append(g.bytes, byte(0xff<<(8-ones)))
	}
	mask := net.IPMask(g.bytes[start:len(g.bytes):len(g.bytes)])
	// A peer's allowed IPs are consecutive lines, so they are consecutive
	// in nets; re-slicing after each append also follows a reallocation.
	first := len(g.nets) - len(p.AllowedIPs)
	g.nets = append(g.nets, net.IPNet{IP: ip, Mask: mask})
	p.AllowedIPs = g.nets[first:len(g.nets):len(g.nets)]
}

func (g *uapiGet) endpoint(v []byte) *net.UDPAddr {
	ap, err := netip.ParseAddrPort(string(v))
	if err != nil {
		g.err = err
		return nil
	}
	if len(g.addrs) == cap(g.addrs) {
		// A new array: the peers hold pointers into the old one.
		g.addrs = make([]net.UDPAddr, 0, max(16, cap(g.d.Peers)-len(g.d.Peers)+1))
	}
	g.addrs = append(g.addrs, net.UDPAddr{IP: g.ip(ap.Addr()), Port: int(ap.Port()), Zone: ap.Addr().Zone()})
	return &g.addrs[len(g.addrs)-1]
}
