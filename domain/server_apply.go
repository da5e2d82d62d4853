package domain

import "fmt"

// Apply applies one event of the server's stream and bumps Version. An event
// decided against another version fails with ErrVersionConflict; one for
// another aggregate or of a foreign type with ErrUnexpectedEvent; one that
// would break an invariant (duplicate address, unknown peer, ...) with a
// *Error. On any error s is left unchanged.
func (s *Server) Apply(e Envelope) error {
	if err := checkVersion(e, s.Version); err != nil {
		return fmt.Errorf("apply to server: %w", err)
	}
	if s.ID != "" && e.AggregateID != s.ID {
		return fmt.Errorf("apply %s to server %q: %w: aggregate id is %q", e.Type, s.ID, ErrUnexpectedEvent, e.AggregateID)
	}
	var err error
	switch p := e.Payload.(type) {
	case ServerRegistered:
		err = s.applyRegistered(e.AggregateID, p)
	case WGClientCreated:
		err = s.applyPeerCreated(e.AggregateID, p)
	case WGClientEnabled:
		err = s.applyPeerEnabled(e.AggregateID, p.ServerID, p.ClientID, true)
	case WGClientDisabled:
		err = s.applyPeerEnabled(e.AggregateID, p.ServerID, p.ClientID, false)
	case WGClientDeleted:
		err = s.applyPeerDeleted(e.AggregateID, p)
	default:
		err = fmt.Errorf("%w: %s is not a server event", ErrUnexpectedEvent, e.Type)
	}
	if err != nil {
		return fmt.Errorf("apply %s to server %q: %w", e.Type, e.AggregateID, err)
	}
	s.Version++
	return nil
}

func (s *Server) applyRegistered(aggID string, p ServerRegistered) error {
	if s.ID != "" {
		return conflictf("server %q already exists", s.ID)
	}
	if p.ServerID != aggID {
		return fmt.Errorf("%w: payload is for server %q", ErrUnexpectedEvent, p.ServerID)
	}
	subnet, err := parseSubnet(p.Subnet)
	if err != nil {
		return err
	}
	*s = Server{
		ID:             p.ServerID,
		Name:           p.Name,
		Endpoint:       p.Endpoint,
		Subnet:         subnet,
		DNS:            p.DNS,
		AgentTokenHash: p.AgentTokenHash,
		Version:        s.Version,
		peers:          make(map[string]Peer),
		names:          make(map[string]string),
		keys:           make(map[string]string),
		pool:           newAddrPool(subnet),
	}
	return nil
}
