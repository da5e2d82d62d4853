package domain

// AgentConfig is the desired state of one server's WireGuard device, as the
// control plane serves it to the server's agent (GET /api/agent/config).
type AgentConfig struct {
	ServerID string `json:"server_id"`
	// Version is the server aggregate's version; it grows with every peer
	// change. The agent reports the version it applied.
	Version int64 `json:"version"`
	// Address is the server's own address in its subnet, e.g. 10.8.0.1/24.
	Address string `json:"address"`
	// Peers are the enabled peers, sorted by public key.
	Peers []AgentPeer `json:"peers"`
}

// AgentPeer is one peer the device must have.
type AgentPeer struct {
	PublicKey    string `json:"public_key"`
	PresharedKey string `json:"preshared_key"`
	// AllowedIPs are the peer's addresses, e.g. ["10.8.0.2/32"].
	AllowedIPs []string `json:"allowed_ips"`
}
