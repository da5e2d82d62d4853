package ingest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// AgentConfig returns the desired device state of a server: at once when
// its version is newer than after, else when it changes, else after wait
// with the current one (long poll).
func (s *Service) AgentConfig(ctx context.Context, serverID string, after int64, wait time.Duration) (domain.AgentConfig, error) {
	deadline := time.Now().Add(wait)
	for {
		var changed <-chan struct{}
		if s.cfg.Changes != nil {
			changed = s.cfg.Changes()
		}
		srv, err := s.server(ctx, serverID)
		if err != nil {
			return domain.AgentConfig{}, err
		}
		left := time.Until(deadline)
		if srv.Version > after || left <= 0 {
			return s.agentConfig(ctx, srv)
		}
		t := time.NewTimer(min(left, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return domain.AgentConfig{}, fmt.Errorf("agent config: %w", ctx.Err())
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Service) agentConfig(ctx context.Context, srv *domain.Server) (domain.AgentConfig, error) {
	cfg := domain.AgentConfig{
		ServerID: srv.ID,
		Version:  srv.Version,
		Address:  netip.PrefixFrom(srv.ServerAddress(), srv.Subnet.Bits()).String(),
		Peers:    []domain.AgentPeer{},
	}
	for _, p := range srv.Peers() {
		if !p.Enabled {
			continue
		}
		psk := ""
		if len(p.PresharedKeySealed) > 0 {
			b, err := s.cfg.Sealer.Open(ctx, p.KeyID, p.PresharedKeySealed, presharedKeyAAD(srv.ID, p.ClientID))
			if err != nil {
				return domain.AgentConfig{}, fmt.Errorf("agent config for %s: %w", srv.ID, err)
			}
			psk = string(b)
		}
		cfg.Peers = append(cfg.Peers, domain.AgentPeer{
			PublicKey:    p.PublicKey,
			PresharedKey: psk,
			AllowedIPs:   []string{netip.PrefixFrom(p.Address, p.Address.BitLen()).String()},
		})
	}
	slices.SortFunc(cfg.Peers, func(a, b domain.AgentPeer) int { return strings.Compare(a.PublicKey, b.PublicKey) })
	return cfg, nil
}
