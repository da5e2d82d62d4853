package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/sentrazone/sentrazone/domain"
)

// applyServerEvent applies a server or peer event. It returns the audit
// target and whether the event applied.
//
// The version check is SQL: the event bumps servers.version only from the
// version it saw, and a peer change that then finds nothing to change (an
// unknown peer, a clash with another peer) takes the bump back.
func (w *eventWriter) applyServerEvent(ctx context.Context, env domain.Envelope) (string, bool, error) {
	if p, ok := env.Payload.(domain.ServerRegistered); ok {
		return w.applyRegistered(ctx, env, p)
	}
	serverID, ok := peerEventServer(env.Payload)
	if !ok || serverID != env.AggregateID {
		return "", false, nil
	}
	var subnet netip.Prefix
	err := w.tx.QueryRow(ctx, `UPDATE servers SET version = version + 1 WHERE id = $1 AND version = $2 RETURNING subnet`,
		env.AggregateID, env.AggregateVersion).Scan(&subnet)
	if errNoRow(err) {
		return "", false, nil // stale, or no such server
	}
	if err != nil {
		return "", false, fmt.Errorf("bump version of server %q: %w", env.AggregateID, err)
	}
	target, applied, err := w.applyPeerChange(ctx, env, subnet)
	if err != nil || applied {
		return target, applied, err
	}
	if _, err := w.tx.Exec(ctx, `UPDATE servers SET version = version - 1 WHERE id = $1`, env.AggregateID); err != nil {
		return "", false, fmt.Errorf("undo version bump of server %q: %w", env.AggregateID, err)
	}
	return "", false, nil
}

// peerEventServer returns the server id a peer event's payload names.
func peerEventServer(p domain.Payload) (string, bool) {
	switch p := p.(type) {
	case domain.WGClientCreated:
		return p.ServerID, true
	case domain.WGClientEnabled:
		return p.ServerID, true
	case domain.WGClientDisabled:
		return p.ServerID, true
	case domain.WGClientDeleted:
		return p.ServerID, true
	}
	return "", false
}

// applyRegistered inserts a server unless the event is stale.
func (w *eventWriter) applyRegistered(ctx context.Context, env domain.Envelope, p domain.ServerRegistered) (string, bool, error) {
	subnet, err := netip.ParsePrefix(p.Subnet)
	if err != nil || env.AggregateVersion != 0 || p.ServerID != env.AggregateID {
		return "", false, nil
	}
	tag, err := w.tx.Exec(ctx, `INSERT INTO servers (id, name, endpoint, subnet, dns, agent_token_hash, version, registered_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (id) DO NOTHING`,
		p.ServerID, p.Name, p.Endpoint, subnet.Masked(), p.DNS, p.AgentTokenHash, env.OccurredAt)
	if err != nil {
		return "", false, fmt.Errorf("insert server %q: %w", p.ServerID, err)
	}
	return env.AuditTarget(), tag.RowsAffected() == 1, nil
}

// applyPeerChange writes a peer event whose version bump succeeded. The
// target of toggles and deletions names the peer as it was.
func (w *eventWriter) applyPeerChange(ctx context.Context, env domain.Envelope, subnet netip.Prefix) (string, bool, error) {
	var name, keyID string
	var err error
	switch p := env.Payload.(type) {
	case domain.WGClientCreated:
		return w.insertPeer(ctx, env, p, subnet)
	case domain.WGClientEnabled:
		err = w.tx.QueryRow(ctx, `UPDATE peers SET enabled = true WHERE server_id = $1 AND id = $2 RETURNING name`,
			p.ServerID, p.ClientID).Scan(&name)
	case domain.WGClientDisabled:
		err = w.tx.QueryRow(ctx, `UPDATE peers SET enabled = false WHERE server_id = $1 AND id = $2 RETURNING name`,
			p.ServerID, p.ClientID).Scan(&name)
	case domain.WGClientDeleted:
		err = w.tx.QueryRow(ctx, `DELETE FROM peers WHERE server_id = $1 AND id = $2 RETURNING name, key_id`,
			p.ServerID, p.ClientID).Scan(&name, &keyID)
	}
	if errNoRow(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("update peer: %w", err)
	}
	if keyID != "" {
		if _, err := w.tx.Exec(ctx, `DELETE FROM data_keys WHERE key_id = $1`, keyID); err != nil {
			return "", false, fmt.Errorf("shred data key %q: %w", keyID, err)
		}
	}
	return env.AggregateID + "/" + name, true, nil
}

// insertPeer inserts a created peer. It does not apply (false) when the
// address is not a client address of the subnet, or the peer's id, name
// (in any case), address or public key is taken.
func (w *eventWriter) insertPeer(ctx context.Context, env domain.Envelope, p domain.WGClientCreated, subnet netip.Prefix) (string, bool, error) {
	addr, err := netip.ParseAddr(p.Address)
	if err != nil || !clientAddress(subnet, addr) {
		return "", false, nil
	}
	tag, err := w.tx.Exec(ctx, `INSERT INTO peers (server_id, id, name, address, public_key, enabled,
			private_key_sealed, preshared_key_sealed, key_id, created_at)
		VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		p.ServerID, p.ClientID, p.Name, addr, p.PublicKey, nonNil(p.PrivateKeySealed), nonNil(p.PresharedKeySealed),
		p.KeyID, env.OccurredAt)
	if err != nil {
		return "", false, fmt.Errorf("insert peer %q: %w", p.ClientID, err)
	}
	return env.AuditTarget(), tag.RowsAffected() == 1, nil
}

// clientAddress reports whether a is an address the domain hands to a
// client in subnet: inside it, and neither the network, the server's own
// first host nor the broadcast address.
func clientAddress(subnet netip.Prefix, a netip.Addr) bool {
	if !a.Is4() || !subnet.Addr().Is4() || !subnet.Contains(a) {
		return false
	}
	network := subnet.Masked().Addr()
	if a == network || a == network.Next() {
		return false
	}
	return a != broadcast(subnet)
}

// broadcast returns the last address of an IPv4 subnet.
func broadcast(subnet netip.Prefix) netip.Addr {
	b := subnet.Masked().Addr().As4()
	v := binary.BigEndian.Uint32(b[:]) | (uint32(1)<<(32-subnet.Bits()) - 1)
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}
