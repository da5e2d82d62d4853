package domain

import "time"

// ReportWire is one agent report as POSTed to /api/report, alone or in a
// JSON array for a batch: the agent sends it, the API decodes it. It is the
// reference body plus optional fields.
type ReportWire struct {
	ServerID string `json:"server_id"`
	// PingMS is the probe's round trip in milliseconds; null (or absent)
	// when the probe failed.
	PingMS *float64 `json:"ping_ms"`
	// Peers is the number of peers on the device.
	Peers int `json:"peers"`
	// TransferRx and TransferTx are sums over the peers, in bytes.
	TransferRx uint64 `json:"transfer_rx"`
	TransferTx uint64 `json:"transfer_tx"`
	// ReportedAt is when the device was read; zero means "when received".
	ReportedAt time.Time      `json:"reported_at"`
	Interface  *InterfaceInfo `json:"interface,omitempty"`
	PeerStats  []PeerStatWire `json:"peer_stats"`
	// AppliedVersion is the version of the last applied desired config,
	// 0 before the first.
	AppliedVersion int64 `json:"applied_version"`
}

// PeerStatWire is the device's view of one peer on the wire.
type PeerStatWire struct {
	PublicKey string `json:"public_key"`
	// Endpoint is the peer's last seen host:port, "" when unknown.
	Endpoint string `json:"endpoint"`
	// LatestHandshakeAt is null or absent when the peer never shook hands.
	LatestHandshakeAt *time.Time `json:"latest_handshake_at,omitempty"`
	TransferRx        uint64     `json:"transfer_rx"`
	TransferTx        uint64     `json:"transfer_tx"`
}

// Report converts the wire form; check the result with ValidateReport.
func (w *ReportWire) Report() ServerReported {
	r := ServerReported{
		ServerID:       w.ServerID,
		Peers:          w.Peers,
		TransferRx:     w.TransferRx,
		TransferTx:     w.TransferTx,
		ReportedAt:     w.ReportedAt,
		AppliedVersion: w.AppliedVersion,
	}
	if w.PingMS != nil {
		r.PingMS, r.PingOK = *w.PingMS, true
	}
	if w.Interface != nil {
		i := *w.Interface
		r.Interface = &i
	}
	if len(w.PeerStats) > 0 {
		r.PeerStats = make([]PeerStat, len(w.PeerStats))
		for i, p := range w.PeerStats {
			r.PeerStats[i] = PeerStat{PublicKey: p.PublicKey, Endpoint: p.Endpoint, TransferRx: p.TransferRx, TransferTx: p.TransferTx}
			if p.LatestHandshakeAt != nil {
				r.PeerStats[i].LatestHandshakeAt = *p.LatestHandshakeAt
			}
		}
	}
	return r
}
