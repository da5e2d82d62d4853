package domain

import (
	"crypto/sha256"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Server is the state of one VPN server and its peers: the aggregate that
// server_registered and wg_client_* events are applied to. The zero value is
// an unregistered server. A Server is not safe for concurrent mutation; use
// Clone to hand out a snapshot.
type Server struct {
	ID       string
	Name     string
	Endpoint string
	Subnet   netip.Prefix
	DNS      string
	// AgentTokenHash is the SHA-256 of the agent token (see HashAgentToken);
	// empty when the server was registered by a fleet token.
	AgentTokenHash []byte
	// Version is the number of events applied.
	Version int64

	peers map[string]Peer   // by client id
	names map[string]string // lowercased peer name -> client id
	keys  map[string]string // public key -> client id
	pool  addrPool
}

// RegisterServer is the command to add a server to the fleet. Empty Name,
// Subnet and DNS take defaults (the id, DefaultSubnet, DefaultDNS).
type RegisterServer struct {
	ID             string
	Name           string
	Endpoint       string
	Subnet         string
	DNS            string
	AgentTokenHash []byte
}

// HashAgentToken returns the SHA-256 of an agent token, as stored in
// ServerRegistered.AgentTokenHash.
func HashAgentToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// DecideRegisterServer validates cmd against the existing server, nil when
// there is none, and returns the event to append with seen version
// existing.Version (0 when nil). A registered server is a KindConflict.
func DecideRegisterServer(existing *Server, cmd RegisterServer) (ServerRegistered, error) {
	if err := ValidateServerID(cmd.ID); err != nil {
		return ServerRegistered{}, err
	}
	if existing != nil && existing.ID != "" {
		return ServerRegistered{}, conflictf("server %q already exists", cmd.ID)
	}
	name := strings.TrimSpace(cmd.Name)
	if name == "" {
		name = cmd.ID
	}
	if !validDisplayName(name) {
		return ServerRegistered{}, invalidf("server name %q is invalid: use 1–64 printable characters", cmd.Name)
	}
	if err := validateEndpoint(cmd.Endpoint); err != nil {
		return ServerRegistered{}, err
	}
	subnet, err := parseSubnet(orDefault(cmd.Subnet, DefaultSubnet))
	if err != nil {
		return ServerRegistered{}, err
	}
	dns, err := normalizeDNS(orDefault(cmd.DNS, DefaultDNS))
	if err != nil {
		return ServerRegistered{}, err
	}
	if n := len(cmd.AgentTokenHash); n != 0 && n != sha256.Size {
		return ServerRegistered{}, invalidf("agent token hash must be a SHA-256 digest of %d bytes, got %d", sha256.Size, n)
	}
	return ServerRegistered{
		ServerID:       cmd.ID,
		Name:           name,
		Endpoint:       cmd.Endpoint,
		Subnet:         subnet.String(),
		DNS:            dns,
		AgentTokenHash: cmd.AgentTokenHash,
	}, nil
}

// orDefault returns s, or def when s is blank.
func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func validDisplayName(s string) bool {
	if n := utf8.RuneCountInString(s); n < 1 || n > 64 || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// ServerAddress is the server's own address in its subnet: the first host.
func (s *Server) ServerAddress() netip.Addr {
	return s.Subnet.Addr().Next()
}

// Peer returns the peer with the given client id.
func (s *Server) Peer(clientID string) (Peer, bool) {
	p, ok := s.peers[clientID]
	return p, ok
}

// Peers returns all peers, ordered by address.
func (s *Server) Peers() []Peer {
	out := slices.Collect(maps.Values(s.peers))
	slices.SortFunc(out, func(a, b Peer) int { return a.Address.Compare(b.Address) })
	return out
}

// Clone returns a deep copy that shares nothing mutable with s.
func (s *Server) Clone() *Server {
	c := *s
	c.peers = maps.Clone(s.peers)
	c.names = maps.Clone(s.names)
	c.keys = maps.Clone(s.keys)
	c.pool = s.pool.clone()
	return &c
}

// registered returns a KindNotFound error unless s is a registered server.
func (s *Server) registered() error {
	if s == nil || s.ID == "" {
		return notFoundf("server not found")
	}
	return nil
}
