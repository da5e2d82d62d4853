package agent

import (
	"bytes"
	"encoding/base64"
	"math"
	"slices"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/domain"
)

// Report is one metrics report as POSTed to /api/report.
type Report = domain.ReportWire

// buildReport turns one reading of the device and one probe result into a
// report. A failed probe (pingErr != nil) gives a null ping, not 0.
func buildReport(serverID string, dev *wgtypes.Device, ping time.Duration, pingErr error, at time.Time, applied int64) Report {
	r := Report{
		ServerID:       serverID,
		Peers:          len(dev.Peers),
		ReportedAt:     at.UTC(),
		Interface:      &domain.InterfaceInfo{PublicKey: dev.PublicKey.String(), ListenPort: dev.ListenPort},
		PeerStats:      make([]domain.PeerStatWire, 0, len(dev.Peers)),
		AppliedVersion: applied,
	}
	if pingErr == nil {
		ms := math.Round(float64(ping)/float64(time.Millisecond)*1000) / 1000
		r.PingMS = &ms
	}
	// Sorted pointers, and one array for the handshake times: a report is
	// built at every interval, from every peer.
	peers := make([]*wgtypes.Peer, len(dev.Peers))
	for i := range dev.Peers {
		peers[i] = &dev.Peers[i]
	}
	slices.SortFunc(peers, func(a, b *wgtypes.Peer) int { return bytes.Compare(a.PublicKey[:], b.PublicKey[:]) })
	handshakes := make([]time.Time, 0, len(peers))
	for _, p := range peers {
		ps := domain.PeerStatWire{
			PublicKey:  keyString(p.PublicKey),
			TransferRx: nonNegative(p.ReceiveBytes),
			TransferTx: nonNegative(p.TransmitBytes),
		}
		if p.Endpoint != nil {
			ps.Endpoint = p.Endpoint.String()
		}
		if hs := p.LastHandshakeTime; !hs.IsZero() && hs.Unix() > 0 {
			handshakes = append(handshakes, hs.UTC())
			ps.LatestHandshakeAt = &handshakes[len(handshakes)-1]
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

// keyString is k.String() with one allocation instead of two.
func keyString(k wgtypes.Key) string {
	var b [44]byte
	base64.StdEncoding.Encode(b[:], k[:])
	return string(b[:])
}
