package postgres

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Server loads a server with its peers in one statement (one snapshot)
// and rebuilds the aggregate with domain.RestoreServer; nil when the
// server is not registered.
func (s *StateStore) Server(ctx context.Context, id string) (*domain.Server, error) {
	rows, err := s.pool.Query(ctx, `SELECT s.name, s.endpoint, s.subnet, s.dns, s.agent_token_hash, s.version,
			p.id, p.name, p.address, p.public_key, p.enabled, p.private_key_sealed, p.preshared_key_sealed, p.key_id
		FROM servers s LEFT JOIN peers p ON p.server_id = s.id WHERE s.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres state: server %q: %w", id, err)
	}
	var (
		srv   = domain.Server{ID: id}
		found bool
		peers []domain.Peer
	)
	for rows.Next() {
		var (
			clientID, name, pubKey, keyID pgtype.Text
			addr                          *netip.Addr
			enabled                       pgtype.Bool
			priv, psk                     []byte
		)
		err := rows.Scan(&srv.Name, &srv.Endpoint, &srv.Subnet, &srv.DNS, &srv.AgentTokenHash, &srv.Version,
			&clientID, &name, &addr, &pubKey, &enabled, &priv, &psk, &keyID)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres state: server %q: %w", id, err)
		}
		found = true
		if clientID.Valid {
			peers = append(peers, domain.Peer{ClientID: clientID.String, Name: name.String, Address: *addr,
				PublicKey: pubKey.String, Enabled: enabled.Bool, PrivateKeySealed: priv, PresharedKeySealed: psk,
				KeyID: keyID.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres state: server %q: %w", id, err)
	}
	if !found {
		return nil, nil
	}
	out, err := domain.RestoreServer(srv, peers)
	if err != nil {
		return nil, fmt.Errorf("postgres state: server %q: %w", id, err)
	}
	return out, nil
}

// serverViewSQL selects server views; ids sort bytewise (COLLATE "C"), as
// in Go.
const serverViewSQL = `SELECT s.id, s.name, s.endpoint, s.subnet, s.dns, coalesce(st.public_key, ''),
		coalesce(st.listen_port, 0), s.version, s.registered_at
	FROM servers s LEFT JOIN server_status st ON st.server_id = s.id`

// scanServerView reads one row of serverViewSQL.
func scanServerView(row pgx.CollectableRow) (projections.ServerView, error) {
	var (
		v      projections.ServerView
		subnet netip.Prefix
	)
	err := row.Scan(&v.ID, &v.Name, &v.Endpoint, &subnet, &v.DNS, &v.PublicKey, &v.ListenPort, &v.Version, &v.RegisteredAt)
	v.Subnet, v.RegisteredAt = subnet.String(), v.RegisteredAt.UTC()
	return v, err
}

// ServerView returns one registered server, false when unknown.
func (s *StateStore) ServerView(ctx context.Context, id string) (projections.ServerView, bool, error) {
	v, ok, err := queryOne(ctx, s.pool, scanServerView, serverViewSQL+` WHERE s.id = $1`, id)
	if err != nil {
		return projections.ServerView{}, false, fmt.Errorf("postgres state: server view %q: %w", id, err)
	}
	return v, ok, nil
}

// RegisteredServers returns those of ids that are registered servers.
func (s *StateStore) RegisteredServers(ctx context.Context, ids []string) ([]string, error) {
	out, err := queryAll(ctx, s.pool, pgx.RowTo[string], `SELECT id FROM servers WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("postgres state: registered servers among %d: %w", len(ids), err)
	}
	return out, nil
}

// Servers returns every registered server sorted by id.
func (s *StateStore) Servers(ctx context.Context) ([]projections.ServerView, error) {
	out, err := queryAll(ctx, s.pool, scanServerView, serverViewSQL+` ORDER BY s.id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres state: servers: %w", err)
	}
	return out, nil
}

// peerViewSQL selects peers with their statistics.
const peerViewSQL = `SELECT p.server_id, p.id, p.name, p.address, p.public_key, p.enabled, p.private_key_sealed,
		p.preshared_key_sealed, p.key_id, p.created_at, ps.latest_handshake_at, coalesce(ps.endpoint, ''),
		coalesce(ps.transfer_rx, 0), coalesce(ps.transfer_tx, 0)
	FROM peers p LEFT JOIN peer_stats ps ON ps.server_id = p.server_id AND ps.public_key = p.public_key`

// scanPeerView reads one row of peerViewSQL.
func scanPeerView(row pgx.CollectableRow) (projections.PeerView, error) {
	var (
		v      projections.PeerView
		p      = &v.Peer
		hs     *time.Time
		rx, tx int64
	)
	err := row.Scan(&v.ServerID, &p.ClientID, &p.Name, &p.Address, &p.PublicKey, &p.Enabled, &p.PrivateKeySealed,
		&p.PresharedKeySealed, &p.KeyID, &v.CreatedAt, &hs, &v.Endpoint, &rx, &tx)
	if hs != nil {
		utc := hs.UTC()
		v.LatestHandshakeAt = &utc
	}
	v.CreatedAt, v.TransferRx, v.TransferTx = v.CreatedAt.UTC(), uint64(rx), uint64(tx)
	return v, err
}

// Peers returns the peers of a server sorted by address, with statistics.
func (s *StateStore) Peers(ctx context.Context, serverID string) ([]projections.PeerView, error) {
	out, err := queryAll(ctx, s.pool, scanPeerView, peerViewSQL+` WHERE p.server_id = $1 ORDER BY p.address`, serverID)
	if err != nil {
		return nil, fmt.Errorf("postgres state: peers of %q: %w", serverID, err)
	}
	return out, nil
}

// Peer returns one peer with statistics, false when unknown.
func (s *StateStore) Peer(ctx context.Context, serverID, clientID string) (projections.PeerView, bool, error) {
	v, ok, err := queryOne(ctx, s.pool, scanPeerView, peerViewSQL+` WHERE p.server_id = $1 AND p.id = $2`, serverID, clientID)
	if err != nil {
		return projections.PeerView{}, false, fmt.Errorf("postgres state: peer %q of %q: %w", clientID, serverID, err)
	}
	return v, ok, nil
}
