package ingest

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// Associated data binding sealed peer keys to their peer and field.
func privateKeyAAD(serverID, clientID string) []byte {
	return []byte("wg_private_key:" + serverID + "/" + clientID)
}

func presharedKeyAAD(serverID, clientID string) []byte {
	return []byte("wg_preshared_key:" + serverID + "/" + clientID)
}

// CreatePeer generates the peer's keys, seals them with a fresh data key and
// adds the peer at the lowest free address of the server's subnet.
func (s *Service) CreatePeer(ctx context.Context, a Actor, serverID, name string) (projections.PeerView, error) {
	if err := domain.ValidatePeerName(name); err != nil {
		return projections.PeerView{}, err
	}
	priv, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		return projections.PeerView{}, fmt.Errorf("generate peer key: %w", err)
	}
	psk, err := wgtypes.GenerateKey()
	if err != nil {
		return projections.PeerView{}, fmt.Errorf("generate preshared key: %w", err)
	}
	dk, err := s.cfg.Sealer.NewDataKey(ctx)
	if err != nil {
		return projections.PeerView{}, fmt.Errorf("create peer: %w", err)
	}
	clientID := uuid.NewString()
	cmd := domain.CreatePeer{
		ClientID:           clientID,
		Name:               name,
		PublicKey:          priv.PublicKey().String(),
		PrivateKeySealed:   dk.Seal([]byte(priv.String()), privateKeyAAD(serverID, clientID)),
		PresharedKeySealed: dk.Seal([]byte(psk.String()), presharedKeyAAD(serverID, clientID)),
		KeyID:              dk.ID,
	}
	_, err = s.onServer(ctx, a, serverID, "create_peer", serverID+"/"+name,
		func(srv *domain.Server) (domain.Payload, bool, error) {
			ev, err := srv.DecideCreatePeer(cmd)
			return ev, true, err
		},
		func(srv *domain.Server) bool { _, ok := srv.Peer(clientID); return ok })
	if err != nil {
		s.shred(ctx, dk.ID)
		return projections.PeerView{}, err
	}
	return s.peerView(ctx, serverID, clientID)
}

// SetPeerEnabled enables or disables a peer; doing it twice is fine.
func (s *Service) SetPeerEnabled(ctx context.Context, a Actor, serverID, clientID string, enabled bool) (projections.PeerView, error) {
	command := "disable_peer"
	if enabled {
		command = "enable_peer"
	}
	_, err := s.onServer(ctx, a, serverID, command, serverID+"/"+clientID,
		func(srv *domain.Server) (domain.Payload, bool, error) {
			if enabled {
				return srv.DecideEnablePeer(clientID)
			}
			return srv.DecideDisablePeer(clientID)
		},
		func(srv *domain.Server) bool { p, ok := srv.Peer(clientID); return ok && p.Enabled == enabled })
	if err != nil {
		return projections.PeerView{}, err
	}
	return s.peerView(ctx, serverID, clientID)
}

// DeletePeer removes a peer; its address is free again and the read model
// destroys its data key as it applies the deletion.
func (s *Service) DeletePeer(ctx context.Context, a Actor, serverID, clientID string) error {
	_, err := s.onServer(ctx, a, serverID, "delete_peer", serverID+"/"+clientID,
		func(srv *domain.Server) (domain.Payload, bool, error) {
			ev, err := srv.DecideDeletePeer(clientID)
			return ev, true, err
		},
		func(srv *domain.Server) bool { _, ok := srv.Peer(clientID); return !ok })
	return err
}

// PeerSecrets opens a peer's private and preshared keys.
func (s *Service) PeerSecrets(ctx context.Context, serverID, clientID string) (string, string, error) {
	pv, err := s.peerView(ctx, serverID, clientID)
	if err != nil {
		return "", "", err
	}
	p := pv.Peer
	priv, err := s.cfg.Sealer.Open(ctx, p.KeyID, p.PrivateKeySealed, privateKeyAAD(serverID, clientID))
	if err != nil {
		return "", "", fmt.Errorf("peer %s/%s: %w", serverID, clientID, err)
	}
	psk, err := s.cfg.Sealer.Open(ctx, p.KeyID, p.PresharedKeySealed, presharedKeyAAD(serverID, clientID))
	if err != nil {
		return "", "", fmt.Errorf("peer %s/%s: %w", serverID, clientID, err)
	}
	return string(priv), string(psk), nil
}

func (s *Service) peerView(ctx context.Context, serverID, clientID string) (projections.PeerView, error) {
	if _, err := s.server(ctx, serverID); err != nil {
		return projections.PeerView{}, err
	}
	pv, ok, err := s.cfg.State.Peer(ctx, serverID, clientID)
	if err != nil {
		return projections.PeerView{}, fmt.Errorf("load peer: %w", err)
	}
	if !ok {
		return projections.PeerView{}, &domain.Error{Kind: domain.KindNotFound, Message: fmt.Sprintf("peer %q not found on server %q", clientID, serverID)}
	}
	return pv, nil
}

func (s *Service) shred(ctx context.Context, keyID string) {
	if err := s.cfg.Sealer.Shred(ctx, keyID); err != nil {
		s.cfg.Logger.Warn("could not delete unused data key", "key_id", keyID, "err", err)
	}
}
