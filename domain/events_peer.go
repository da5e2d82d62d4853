package domain

// Peer (WireGuard client) event types. Peers belong to the Server aggregate:
// AggregateID is always the server id.
const (
	EventWGClientCreated  EventType = "wg_client_created"
	EventWGClientEnabled  EventType = "wg_client_enabled"
	EventWGClientDisabled EventType = "wg_client_disabled"
	EventWGClientDeleted  EventType = "wg_client_deleted"
)

// WGClientCreated records a new peer on a server. New peers are enabled.
type WGClientCreated struct {
	ServerID  string `json:"server_id"`
	ClientID  string `json:"client_id"`
	Name      string `json:"name"`
	Address   string `json:"address"`
	PublicKey string `json:"public_key"`
	// PrivateKeySealed and PresharedKeySealed are encrypted with the per-peer
	// data key KeyID; deleting that key shreds them.
	PrivateKeySealed   []byte `json:"private_key_sealed"`
	PresharedKeySealed []byte `json:"preshared_key_sealed"`
	KeyID              string `json:"key_id"`
}

// EventType implements Payload.
func (WGClientCreated) EventType() EventType { return EventWGClientCreated }

// AuditTarget implements Payload: "<server_id>/<peer name>".
func (e WGClientCreated) AuditTarget() string { return e.ServerID + "/" + e.Name }

// WGClientEnabled records that a peer may connect again.
type WGClientEnabled struct {
	ServerID string `json:"server_id"`
	ClientID string `json:"client_id"`
}

// EventType implements Payload.
func (WGClientEnabled) EventType() EventType { return EventWGClientEnabled }

// AuditTarget implements Payload: "<server_id>/<client_id>"; projections
// that know the peer may show "<server_id>/<name>" instead.
func (e WGClientEnabled) AuditTarget() string { return e.ServerID + "/" + e.ClientID }

// WGClientDisabled records that a peer is removed from the device but kept.
type WGClientDisabled struct {
	ServerID string `json:"server_id"`
	ClientID string `json:"client_id"`
}

// EventType implements Payload.
func (WGClientDisabled) EventType() EventType { return EventWGClientDisabled }

// AuditTarget implements Payload: "<server_id>/<client_id>".
func (e WGClientDisabled) AuditTarget() string { return e.ServerID + "/" + e.ClientID }

// WGClientDeleted records that a peer is gone; its address becomes free and
// its data key must be destroyed.
type WGClientDeleted struct {
	ServerID string `json:"server_id"`
	ClientID string `json:"client_id"`
}

// EventType implements Payload.
func (WGClientDeleted) EventType() EventType { return EventWGClientDeleted }

// AuditTarget implements Payload: "<server_id>/<client_id>".
func (e WGClientDeleted) AuditTarget() string { return e.ServerID + "/" + e.ClientID }
