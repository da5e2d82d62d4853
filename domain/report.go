package domain

import (
	"math"
	"slices"
	"time"
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
	case r.Peers < 0:
		return ServerReported{}, invalidf("report for server %q: peers must not be negative", r.ServerID)
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
		ps.LatestHandshakeAt = ps.LatestHandshakeAt.UTC()
	}
	if r.ReportedAt.IsZero() {
		r.ReportedAt = now
	}
	r.ReportedAt = r.ReportedAt.UTC()
	return r, nil
}
