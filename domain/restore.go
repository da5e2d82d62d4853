package domain

import (
	"bytes"
	"fmt"
)

// RestoreServer rebuilds a Server aggregate from stored fields instead of
// events: the exported fields of s (ID, Name, Endpoint, Subnet, DNS,
// AgentTokenHash, Version) and its peers, in any order. It is for stores
// that keep rows rather than the event stream.
//
// The peers go through the same checks as when their creation events are
// applied, so a corrupt row set (two peers with one address, name or public
// key, an address outside the subnet, ...) is a *Error rather than a
// silently broken aggregate. Version must count at least the registration
// and one creation per peer. The result owns its data: s and peers may be
// reused by the caller.
func RestoreServer(s Server, peers []Peer) (*Server, error) {
	if err := ValidateServerID(s.ID); err != nil {
		return nil, fmt.Errorf("restore server: %w", err)
	}
	if minVersion := int64(1 + len(peers)); s.Version < minVersion {
		return nil, fmt.Errorf("restore server %q: %w", s.ID,
			invalidf("version %d is too low for a server with %d peers (at least %d)", s.Version, len(peers), minVersion))
	}
	var out Server
	reg := ServerRegistered{
		ServerID:       s.ID,
		Name:           s.Name,
		Endpoint:       s.Endpoint,
		Subnet:         s.Subnet.String(),
		DNS:            s.DNS,
		AgentTokenHash: bytes.Clone(s.AgentTokenHash),
	}
	if err := out.Apply(restoreEvent(reg, s.ID, out.Version)); err != nil {
		return nil, fmt.Errorf("restore server: %w", err)
	}
	for _, p := range peers {
		created := WGClientCreated{
			ServerID:           s.ID,
			ClientID:           p.ClientID,
			Name:               p.Name,
			Address:            p.Address.String(),
			PublicKey:          p.PublicKey,
			PrivateKeySealed:   bytes.Clone(p.PrivateKeySealed),
			PresharedKeySealed: bytes.Clone(p.PresharedKeySealed),
			KeyID:              p.KeyID,
		}
		if err := out.Apply(restoreEvent(created, s.ID, out.Version)); err != nil {
			return nil, fmt.Errorf("restore server: peer %q: %w", p.ClientID, err)
		}
		if !p.Enabled {
			stored := out.peers[p.ClientID]
			stored.Enabled = false
			out.peers[p.ClientID] = stored
		}
	}
	out.Version = s.Version
	return &out, nil
}

// restoreEvent wraps p in the minimal envelope Apply needs.
func restoreEvent(p Payload, aggID string, version int64) Envelope {
	return Envelope{
		Type:             p.EventType(),
		SchemaVersion:    1,
		AggregateID:      aggID,
		AggregateVersion: version,
		Actor:            ActorSystem,
		Payload:          p,
	}
}
