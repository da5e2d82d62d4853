package agent

import (
	"bytes"
	"math"
	"slices"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Report is one metrics report as POSTed to /api/report (alone, or in a JSON
// array for a batch).
type Report struct {
	ServerID string `json:"server_id"`
	// PingMS is the probe's round trip in milliseconds; nil (JSON null)
	// when the probe failed.
	PingMS *float64 `json:"ping_ms"`
	// Peers is the number of peers on the device.
	Peers int `json:"peers"`
	// TransferRx and TransferTx are sums over the peers, in bytes.
	TransferRx uint64 `json:"transfer_rx"`
	TransferTx uint64 `json:"transfer_tx"`
	// ReportedAt is when the device was read, UTC (RFC 3339 with
	// nanoseconds on the wire).
	ReportedAt time.Time  `json:"reported_at"`
	Interface  *Interface `json:"interface"`
	PeerStats  []PeerStat `json:"peer_stats"`
	// AppliedVersion is the version of the last applied desired config, 0
	// before the first.
	AppliedVersion int64 `json:"applied_version"`
}

// Interface is the WireGuard interface as the agent sees it.
type Interface struct {
	PublicKey  string `json:"public_key"`
	ListenPort int    `json:"listen_port"`
}

// PeerStat is the device's view of one peer.
type PeerStat struct {
	PublicKey string `json:"public_key"`
	// Endpoint is the peer's last seen host:port, "" when unknown.
	Endpoint string `json:"endpoint"`
	// LatestHandshakeAt is nil (omitted) when the peer never shook hands.
	LatestHandshakeAt *time.Time `json:"latest_handshake_at,omitempty"`
	TransferRx        uint64     `json:"transfer_rx"`
	TransferTx        uint64     `json:"transfer_tx"`
}

// buildReport turns one reading of the device and one probe result into a
// report. A failed probe (pingErr != nil) gives a null ping, not 0.
func buildReport(serverID string, dev *wgtypes.Device, ping time.Duration, pingErr error, at time.Time, applied int64) Report {
	r := Report{
		ServerID:       serverID,
		Peers:          len(dev.Peers),
		ReportedAt:     at.UTC(),
		Interface:      &Interface{PublicKey: dev.PublicKey.String(), ListenPort: dev.ListenPort},
		PeerStats:      make([]PeerStat, 0, len(dev.Peers)),
		AppliedVersion: applied,
	}
	if pingErr == nil {
		ms := math.Round(float64(ping)/float64(time.Millisecond)*1000) / 1000
		r.PingMS = &ms
	}
	peers := slices.Clone(dev.Peers)
	slices.SortFunc(peers, func(a, b wgtypes.Peer) int { return bytes.Compare(a.PublicKey[:], b.PublicKey[:]) })
	for _, p := range peers {
		ps := PeerStat{
			PublicKey:  p.PublicKey.String(),
			TransferRx: nonNegative(p.ReceiveBytes),
			TransferTx: nonNegative(p.TransmitBytes),
		}
		if p.Endpoint != nil {
			ps.Endpoint = p.Endpoint.String()
		}
		if hs := p.LastHandshakeTime; !hs.IsZero() && hs.Unix() > 0 {
			t := hs.UTC()
			ps.LatestHandshakeAt = &t
		}
		r.TransferRx += ps.TransferRx
		r.TransferTx += ps.TransferTx
		r.PeerStats = append(r.PeerStats, ps)
	}
	return r
}

func nonNegative(n int64) uint64 {
	return uint64(max(n, 0))
}
