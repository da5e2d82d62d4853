package domain

import (
	"net/netip"
	"strings"
)

// Peer is one WireGuard client of a server.
type Peer struct {
	ClientID  string
	Name      string
	Address   netip.Addr
	PublicKey string
	Enabled   bool
	// Sealed keys, encrypted with the per-peer data key KeyID.
	PrivateKeySealed   []byte
	PresharedKeySealed []byte
	KeyID              string
}

// CreatePeer is the command to add a peer to a server. The caller generates
// ClientID and the keys and seals the private and preshared keys with a
// fresh per-peer data key named KeyID.
type CreatePeer struct {
	ClientID           string
	Name               string
	PublicKey          string
	PrivateKeySealed   []byte
	PresharedKeySealed []byte
	KeyID              string
}

// DecideCreatePeer validates cmd and allocates the peer's address: the lowest
// free host of the subnet, never the network address, the server's own first
// host or the broadcast address. A subnet with no free address is a KindFull
// error.
//
// Peer names are unique per server case-insensitively ("Alice" clashes with
// "alice"), so audit targets and configs cannot be told apart only by case.
// Public keys and client ids are unique per server too.
func (s *Server) DecideCreatePeer(cmd CreatePeer) (WGClientCreated, error) {
	if err := s.registered(); err != nil {
		return WGClientCreated{}, err
	}
	if err := validateCreatePeer(cmd); err != nil {
		return WGClientCreated{}, err
	}
	if _, ok := s.peers[cmd.ClientID]; ok {
		return WGClientCreated{}, conflictf("a peer with id %q already exists on server %q", cmd.ClientID, s.ID)
	}
	if _, ok := s.names[strings.ToLower(cmd.Name)]; ok {
		return WGClientCreated{}, conflictf("a peer named %q already exists on server %q", cmd.Name, s.ID)
	}
	if id, ok := s.keys[cmd.PublicKey]; ok {
		return WGClientCreated{}, conflictf("public key %q is already used by peer %q on server %q", cmd.PublicKey, s.peers[id].Name, s.ID)
	}
	addr, ok := s.pool.next()
	if !ok {
		return WGClientCreated{}, newError(KindFull,
			"server %q has no free address: all %d client addresses of %s are in use; delete a peer or use a larger subnet",
			s.ID, s.pool.capacity(), s.Subnet)
	}
	return WGClientCreated{
		ServerID:           s.ID,
		ClientID:           cmd.ClientID,
		Name:               cmd.Name,
		Address:            addr.String(),
		PublicKey:          cmd.PublicKey,
		PrivateKeySealed:   cmd.PrivateKeySealed,
		PresharedKeySealed: cmd.PresharedKeySealed,
		KeyID:              cmd.KeyID,
	}, nil
}

func validateCreatePeer(cmd CreatePeer) error {
	if err := validateID("peer id", cmd.ClientID); err != nil {
		return err
	}
	if err := ValidatePeerName(cmd.Name); err != nil {
		return err
	}
	if err := validatePublicKey(cmd.PublicKey); err != nil {
		return err
	}
	if len(cmd.PrivateKeySealed)+len(cmd.PresharedKeySealed) > 0 && cmd.KeyID == "" {
		return invalidf("sealed keys need the id of the data key that sealed them")
	}
	return nil
}

// DecideEnablePeer returns the event that enables a peer. It is idempotent:
// for a peer that is already enabled, changed is false and the caller should
// not append the event. An unknown peer is KindNotFound.
func (s *Server) DecideEnablePeer(clientID string) (e WGClientEnabled, changed bool, err error) {
	p, err := s.findPeer(clientID)
	if err != nil {
		return WGClientEnabled{}, false, err
	}
	return WGClientEnabled{ServerID: s.ID, ClientID: clientID}, !p.Enabled, nil
}

// DecideDisablePeer returns the event that disables a peer. It is idempotent:
// for a peer that is already disabled, changed is false and the caller should
// not append the event. An unknown peer is KindNotFound.
func (s *Server) DecideDisablePeer(clientID string) (e WGClientDisabled, changed bool, err error) {
	p, err := s.findPeer(clientID)
	if err != nil {
		return WGClientDisabled{}, false, err
	}
	return WGClientDisabled{ServerID: s.ID, ClientID: clientID}, p.Enabled, nil
}

// DecideDeletePeer returns the event that deletes a peer; an unknown peer is
// KindNotFound.
func (s *Server) DecideDeletePeer(clientID string) (WGClientDeleted, error) {
	if _, err := s.findPeer(clientID); err != nil {
		return WGClientDeleted{}, err
	}
	return WGClientDeleted{ServerID: s.ID, ClientID: clientID}, nil
}

func (s *Server) findPeer(clientID string) (Peer, error) {
	if err := s.registered(); err != nil {
		return Peer{}, err
	}
	p, ok := s.peers[clientID]
	if !ok {
		return Peer{}, notFoundf("peer %q not found on server %q", clientID, s.ID)
	}
	return p, nil
}
