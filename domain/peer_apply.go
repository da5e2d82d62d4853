package domain

import (
	"fmt"
	"net/netip"
	"strings"
)

// applyPeerCreated adds a peer after re-checking the invariants the decision
// relied on, so a log written by a buggy or concurrent writer cannot corrupt
// the state.
func (s *Server) applyPeerCreated(aggID string, p WGClientCreated) error {
	if err := s.checkPeerEvent(aggID, p.ServerID); err != nil {
		return err
	}
	addr, err := netip.ParseAddr(p.Address)
	off, ok := s.pool.offset(addr)
	switch {
	case err != nil || !ok:
		return invalidf("address %q is not a client address of %s", p.Address, s.Subnet)
	case s.pool.taken(off):
		return conflictf("address %s is already in use on server %q", addr, s.ID)
	}
	if _, ok := s.peers[p.ClientID]; ok {
		return conflictf("a peer with id %q already exists on server %q", p.ClientID, s.ID)
	}
	name := strings.ToLower(p.Name)
	if _, ok := s.names[name]; ok {
		return conflictf("a peer named %q already exists on server %q", p.Name, s.ID)
	}
	if _, ok := s.keys[p.PublicKey]; ok {
		return conflictf("public key %q is already used on server %q", p.PublicKey, s.ID)
	}
	s.pool.take(off)
	s.names[name] = p.ClientID
	s.keys[p.PublicKey] = p.ClientID
	s.peers[p.ClientID] = Peer{
		ClientID:           p.ClientID,
		Name:               p.Name,
		Address:            addr,
		PublicKey:          p.PublicKey,
		Enabled:            true,
		PrivateKeySealed:   p.PrivateKeySealed,
		PresharedKeySealed: p.PresharedKeySealed,
		KeyID:              p.KeyID,
	}
	return nil
}

func (s *Server) applyPeerEnabled(aggID, serverID, clientID string, enabled bool) error {
	if err := s.checkPeerEvent(aggID, serverID); err != nil {
		return err
	}
	p, err := s.findPeer(clientID)
	if err != nil {
		return err
	}
	p.Enabled = enabled
	s.peers[clientID] = p
	return nil
}

// applyPeerDeleted removes a peer and frees its address.
func (s *Server) applyPeerDeleted(aggID string, e WGClientDeleted) error {
	if err := s.checkPeerEvent(aggID, e.ServerID); err != nil {
		return err
	}
	p, err := s.findPeer(e.ClientID)
	if err != nil {
		return err
	}
	if off, ok := s.pool.offset(p.Address); ok {
		s.pool.release(off)
	}
	delete(s.names, strings.ToLower(p.Name))
	delete(s.keys, p.PublicKey)
	delete(s.peers, e.ClientID)
	return nil
}

// checkPeerEvent checks that a peer event targets this registered server.
func (s *Server) checkPeerEvent(aggID, serverID string) error {
	if err := s.registered(); err != nil {
		return err
	}
	if serverID != aggID {
		return fmt.Errorf("%w: payload is for server %q", ErrUnexpectedEvent, serverID)
	}
	return nil
}
