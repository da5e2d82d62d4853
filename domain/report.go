package domain

import (
	"math"
	"net/netip"
	"slices"
	"time"
)

// Report bounds. Counters must fit the stores' signed 64-bit integers and
// the peer count a 32-bit one; a report may be dated at most MaxClockSkew
// after the control plane's clock, so a runaway agent clock cannot pin a
// server online or shadow the reports that follow.
const (
	MaxReportPeers = math.MaxInt32
	MaxCounter     = math.MaxInt64
	MaxClockSkew   = 5 * time.Minute
)

// ValidateReport checks an agent report and returns a cleaned copy: all
// times in UTC, and ReportedAt set to now when the agent left it empty. The
// input is not modified.
func ValidateReport(r ServerReported, now time.Time) (ServerReported, error) {
	if err := ValidateServerID(r.ServerID); err != nil {
		return ServerReported{}, err
	}
	switch {
	case math.IsNaN(r.PingMS) || math.IsInf(r.PingMS, 0) || r.PingMS < 0:
		return ServerReported{}, invalidf("report for server %q: ping_ms must be a non-negative number", r.ServerID)
	case r.Peers < 0 || r.Peers > MaxReportPeers:
		return ServerReported{}, invalidf("report for server %q: peers must be between 0 and %d", r.ServerID, MaxReportPeers)
	case r.TransferRx > MaxCounter || r.TransferTx > MaxCounter:
		return ServerReported{}, invalidf("report for server %q: transfer_rx and transfer_tx must be at most %d", r.ServerID, uint64(MaxCounter))
	case r.AppliedVersion < 0:
		return ServerReported{}, invalidf("report for server %q: applied_version must not be negative", r.ServerID)
	}
	if i := r.Interface; i != nil {
		if i.ListenPort < 0 || i.ListenPort > 65535 {
			return ServerReported{}, invalidf("report for server %q: listen port %d is out of range", r.ServerID, i.ListenPort)
		}
		if i.PublicKey != "" {
			if err := validatePublicKey(i.PublicKey); err != nil {
				return ServerReported{}, err
			}
		}
		c := *i
		r.Interface = &c
	}
	r.PeerStats = slices.Clone(r.PeerStats)
	for k := range r.PeerStats {
		ps := &r.PeerStats[k]
		if err := validatePublicKey(ps.PublicKey); err != nil {
			return ServerReported{}, err
		}
		if ps.TransferRx > MaxCounter || ps.TransferTx > MaxCounter {
			return ServerReported{}, invalidf("report for server %q: peer transfer counters must be at most %d", r.ServerID, uint64(MaxCounter))
		}
		if ps.Endpoint != "" {
			if _, err := netip.ParseAddrPort(ps.Endpoint); err != nil {
				return ServerReported{}, invalidf("report for server %q: peer endpoint %q is invalid: use ip:port", r.ServerID, ps.Endpoint)
			}
		}
		ps.LatestHandshakeAt = ps.LatestHandshakeAt.UTC()
	}
	if r.ReportedAt.IsZero() {
		r.ReportedAt = now
	}
	if ahead := r.ReportedAt.Sub(now); ahead > MaxClockSkew {
		return ServerReported{}, invalidf("report for server %q: reported_at %s is %s ahead of the control plane's clock (at most %s allowed)",
			r.ServerID, r.ReportedAt.UTC().Format(time.RFC3339), ahead.Round(time.Second), MaxClockSkew)
	}
	r.ReportedAt = r.ReportedAt.UTC()
	return r, nil
}
