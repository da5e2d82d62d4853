package api

import "strings"

// wgQuickConfig is what a peer's wg-quick configuration is made of.
type wgQuickConfig struct {
	PrivateKey      string // the peer's private key (base64)
	Address         string // the peer's IPv4 address, without prefix
	DNS             string // the server's resolvers, "a, b"
	ServerPublicKey string
	PresharedKey    string // omitted from the file when empty
	Endpoint        string // the server's public host:port
}

// Render returns the wg-quick file: LF line endings, a trailing newline,
// full tunnel (IPv4 and IPv6) and a 25 s keepalive.
func (w wgQuickConfig) Render() string {
	var b strings.Builder
	line := func(k, v string) {
		b.WriteString(k)
		b.WriteString(" = ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.WriteString("[Interface]\n")
	line("PrivateKey", w.PrivateKey)
	line("Address", w.Address+"/32")
	if w.DNS != "" {
		line("DNS", w.DNS)
	}
	b.WriteString("\n[Peer]\n")
	line("PublicKey", w.ServerPublicKey)
	if w.PresharedKey != "" {
		line("PresharedKey", w.PresharedKey)
	}
	line("Endpoint", w.Endpoint)
	line("AllowedIPs", "0.0.0.0/0, ::/0")
	line("PersistentKeepalive", "25")
	return b.String()
}
