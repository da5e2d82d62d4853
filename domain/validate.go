package domain

import (
	"encoding/base64"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Defaults applied by DecideRegisterServer.
const (
	DefaultSubnet = "10.8.0.0/24"
	DefaultDNS    = "1.1.1.1"
)

// Subnet prefix lengths a server may use: /30 leaves exactly one client.
const (
	minSubnetBits = 8
	maxSubnetBits = 30
)

const maxPeerNameLen = 64

// ValidateServerID checks a server id: 1–63 lowercase letters, digits or
// '-', not starting with '-'.
func ValidateServerID(id string) error {
	ok := len(id) >= 1 && len(id) <= 63 && id[0] != '-'
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = isLower(c) || isDigit(c) || c == '-'
	}
	if !ok {
		return invalidf("server id %q is invalid: use 1–63 lowercase letters, digits or '-', starting with a letter or digit", id)
	}
	return nil
}

// ValidatePeerName checks a peer name: 1–64 ASCII letters, digits, '.', '_'
// or '-'.
func ValidatePeerName(name string) error {
	ok := len(name) >= 1 && len(name) <= maxPeerNameLen
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isLower(c) || isUpper(c) || isDigit(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return invalidf("peer name %q is invalid: use 1–64 letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// validateID checks an opaque id chosen by the caller (client ids, user
// ids): 1–64 ASCII letters, digits, '_' or '-' (UUIDs fit).
func validateID(what, id string) error {
	ok := len(id) >= 1 && len(id) <= 64
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = isLower(c) || isUpper(c) || isDigit(c) || c == '_' || c == '-'
	}
	if !ok {
		return invalidf("%s %q is invalid: use 1–64 letters, digits, '_' or '-'", what, id)
	}
	return nil
}

// parseSubnet parses an IPv4 CIDR with a prefix length of 8..30 and returns
// it masked to its network address (10.8.0.1/24 becomes 10.8.0.0/24).
func parseSubnet(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, invalidf("subnet %q is invalid: use an IPv4 network such as %s", s, DefaultSubnet)
	}
	if p.Bits() < minSubnetBits || p.Bits() > maxSubnetBits {
		return netip.Prefix{}, invalidf("subnet %q is invalid: the prefix length must be between /%d and /%d", s, minSubnetBits, maxSubnetBits)
	}
	return p.Masked(), nil
}

// normalizeDNS checks a comma-separated list of resolver IPs and returns it
// as "a, b, c" (the form WireGuard configs use).
func normalizeDNS(s string) (string, error) {
	parts := strings.Split(s, ",")
	out := make([]string, 0, len(parts))
	for _, part := range parts {
		a, err := netip.ParseAddr(strings.TrimSpace(part))
		if err != nil {
			return "", invalidf("DNS %q is invalid: use one or more IP addresses separated by commas", s)
		}
		out = append(out, a.String())
	}
	return strings.Join(out, ", "), nil
}

// validateEndpoint checks a public "host:port" endpoint; IPv6 hosts go in
// brackets.
func validateEndpoint(s string) error {
	host, portStr, err := net.SplitHostPort(s)
	port, perr := strconv.Atoi(portStr)
	if err != nil || perr != nil || port < 1 || port > 65535 || !validHost(host) {
		return invalidf("endpoint %q is invalid: use host:port with a port between 1 and 65535, e.g. vpn.example.com:51820", s)
	}
	return nil
}

// validHost accepts an IP address or a DNS name of letters, digits and '-'
// labels.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(h, "."), ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isLower(c) && !isUpper(c) && !isDigit(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// validatePublicKey checks a WireGuard public key: standard base64 of 32
// bytes.
func validatePublicKey(k string) error {
	b, err := base64.StdEncoding.DecodeString(k)
	if err != nil || len(b) != 32 {
		return invalidf("public key %q is invalid: expected a base64 WireGuard key of 32 bytes", k)
	}
	return nil
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
