package domain

import "time"

// Server event types.
const (
	EventServerRegistered EventType = "server_registered"
	EventServerReported   EventType = "server_reported"
)

// ServerRegistered records a new VPN server. AggregateID: the server id.
type ServerRegistered struct {
	ServerID string `json:"server_id"`
	Name     string `json:"name"`
	// Endpoint is the public host:port clients connect to.
	Endpoint string `json:"endpoint"`
	// Subnet is the server's IPv4 network in canonical CIDR form.
	Subnet string `json:"subnet"`
	// DNS is a comma-separated list of resolver IPs handed to clients.
	DNS string `json:"dns"`
	// AgentTokenHash is the SHA-256 of the agent token; empty when the server
	// was registered implicitly by a fleet token.
	AgentTokenHash []byte `json:"agent_token_hash"`
}

// EventType implements Payload.
func (ServerRegistered) EventType() EventType { return EventServerRegistered }

// AuditTarget implements Payload: the server id.
func (e ServerRegistered) AuditTarget() string { return e.ServerID }

// ServerReported is one metrics report pushed by a server's agent. It lives
// on the reports topic and is not applied to the Server aggregate.
// AggregateID: the server id; AggregateVersion: 0.
type ServerReported struct {
	ServerID string  `json:"server_id"`
	PingMS   float64 `json:"ping_ms"`
	// PingOK is false when the latency probe failed (PingMS is then 0).
	PingOK     bool      `json:"ping_ok"`
	Peers      int       `json:"peers"`
	TransferRx uint64    `json:"transfer_rx"`
	TransferTx uint64    `json:"transfer_tx"`
	ReportedAt time.Time `json:"reported_at"`
	// Interface is the WireGuard interface as the agent sees it, if known.
	Interface *InterfaceInfo `json:"interface"`
	PeerStats []PeerStat     `json:"peer_stats"`
	// AppliedVersion is the server aggregate version whose peer set the agent
	// has applied to the device.
	AppliedVersion int64 `json:"applied_version"`
}

// InterfaceInfo describes a server's WireGuard interface.
type InterfaceInfo struct {
	PublicKey  string `json:"public_key"`
	ListenPort int    `json:"listen_port"`
}

// PeerStat is the device's view of one peer.
type PeerStat struct {
	PublicKey string `json:"public_key"`
	// Endpoint is the peer's last seen host:port; empty when unknown.
	Endpoint string `json:"endpoint"`
	// LatestHandshakeAt is the zero time when the peer never shook hands.
	LatestHandshakeAt time.Time `json:"latest_handshake_at"`
	TransferRx        uint64    `json:"transfer_rx"`
	TransferTx        uint64    `json:"transfer_tx"`
}

// EventType implements Payload.
func (ServerReported) EventType() EventType { return EventServerReported }

// AuditTarget implements Payload: the server id.
func (e ServerReported) AuditTarget() string { return e.ServerID }
