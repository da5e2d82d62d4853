// Package agenttest helps tests that exercise the agent against real
// WireGuard: a wg-quick config parser, a userspace WireGuard client over
// gVisor's netstack (no kernel interface, no privileges), and a way to run
// a test in its own network and mount namespaces.
package agenttest

import (
	"bufio"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// QuickConfig is a parsed wg-quick configuration ([Interface] and [Peer]
// sections).
type QuickConfig struct {
	PrivateKey wgtypes.Key
	// Addresses are the interface addresses, e.g. 10.8.0.2/32.
	Addresses []netip.Prefix
	DNS       []netip.Addr
	// ListenPort and MTU are 0 when not set.
	ListenPort int
	MTU        int
	Peers      []QuickPeer
}

// QuickPeer is one [Peer] section.
type QuickPeer struct {
	PublicKey wgtypes.Key
	// PresharedKey is the zero key when not set.
	PresharedKey wgtypes.Key
	// Endpoint is host:port as written; empty when not set.
	Endpoint            string
	AllowedIPs          []netip.Prefix
	PersistentKeepalive int
}

// ParseQuickConfig parses wg-quick config text. Keys are case-insensitive,
// lists are comma-separated, '#' starts a comment; unknown [Interface]
// keys (PostUp, Table, ...) are ignored.
func ParseQuickConfig(text string) (*QuickConfig, error) {
	var c QuickConfig
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			switch section {
			case "interface":
			case "peer":
				c.Peers = append(c.Peers, QuickPeer{})
			default:
				return nil, fmt.Errorf("line %d: unknown section [%s]", n, section)
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		var err error
		switch section {
		case "interface":
			err = c.setInterface(k, v)
		case "peer":
			err = c.Peers[len(c.Peers)-1].set(k, v)
		default:
			err = fmt.Errorf("%s outside a section", k)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if c.PrivateKey == (wgtypes.Key{}) {
		return nil, fmt.Errorf("[Interface] has no PrivateKey")
	}
	for i, p := range c.Peers {
		if p.PublicKey == (wgtypes.Key{}) {
			return nil, fmt.Errorf("[Peer] %d has no PublicKey", i+1)
		}
	}
	return &c, nil
}

func (c *QuickConfig) setInterface(k, v string) error {
	var err error
	switch k {
	case "privatekey":
		c.PrivateKey, err = parseKey(k, v)
	case "address":
		c.Addresses, err = parsePrefixes(v)
	case "dns":
		for _, s := range splitList(v) {
			a, perr := netip.ParseAddr(s)
			if perr != nil {
				continue // a search domain
			}
			c.DNS = append(c.DNS, a)
		}
	case "listenport":
		c.ListenPort, err = strconv.Atoi(v)
	case "mtu":
		c.MTU, err = strconv.Atoi(v)
	}
	return err
}

func (p *QuickPeer) set(k, v string) error {
	var err error
	switch k {
	case "publickey":
		p.PublicKey, err = parseKey(k, v)
	case "presharedkey":
		p.PresharedKey, err = parseKey(k, v)
	case "endpoint":
		p.Endpoint = v
	case "allowedips":
		p.AllowedIPs, err = parsePrefixes(v)
	case "persistentkeepalive":
		if v != "off" {
			p.PersistentKeepalive, err = strconv.Atoi(v)
		}
	default:
		err = fmt.Errorf("unknown [Peer] key %q", k)
	}
	return err
}

// parseKey parses a base64 key without quoting it in errors.
func parseKey(name, v string) (wgtypes.Key, error) {
	k, err := wgtypes.ParseKey(v)
	if err != nil {
		return wgtypes.Key{}, fmt.Errorf("%s is not a base64 WireGuard key", name)
	}
	return k, nil
}

// parsePrefixes parses a list of CIDRs; a bare address is a host prefix.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(v) {
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
