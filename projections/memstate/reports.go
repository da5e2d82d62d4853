package memstate

import (
	"context"
	"fmt"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// ApplyReports applies a batch of the reports topic. Records below the
// stored next offset are skipped, as is anything but server_reported. The
// newest report wins, by ReportedAt (a later record wins a tie), for each
// of: a server's status, its interface (from reports that carry one) and
// each of its peers' statistics. All three are kept for server ids that are
// not registered (yet); readers show them for registered servers only.
func (s *Store) ApplyReports(ctx context.Context, partition int, batch []projections.Decoded) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstate: apply reports: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rec := range batch {
		if rec.Offset < s.nextOffset(eventstore.TopicReports, partition) {
			continue
		}
		if r, ok := rec.Event.Payload.(domain.ServerReported); ok {
			s.applyReport(r)
		}
		s.advance(eventstore.TopicReports, partition, rec.Offset)
	}
	return nil
}

// applyReport applies one report; mu is held for writing.
func (s *Store) applyReport(r domain.ServerReported) {
	at := r.ReportedAt.UTC()
	if old, ok := s.statuses[r.ServerID]; !ok || !at.Before(old.ReportedAt) {
		v := projections.StatusView{
			ServerID:       r.ServerID,
			Reported:       true,
			PingMS:         r.PingMS,
			PingOK:         r.PingOK,
			Peers:          r.Peers,
			TransferRx:     r.TransferRx,
			TransferTx:     r.TransferTx,
			ReportedAt:     at,
			AppliedVersion: r.AppliedVersion,
		}
		s.statuses[r.ServerID] = v
		if i, ok := s.statusRank[r.ServerID]; ok && s.statusValid {
			s.statusRows[i] = v
		}
	}
	if r.Interface != nil {
		if old, ok := s.ifaces[r.ServerID]; !ok || !at.Before(old.at) {
			s.ifaces[r.ServerID] = ifaceEntry{info: *r.Interface, at: at}
		}
	}
	for _, ps := range r.PeerStats {
		k := statKey{serverID: r.ServerID, publicKey: ps.PublicKey}
		if old, ok := s.stats[k]; !ok || !at.Before(old.at) {
			ps.LatestHandshakeAt = ps.LatestHandshakeAt.UTC()
			s.stats[k] = statEntry{stat: ps, at: at}
		}
	}
}
