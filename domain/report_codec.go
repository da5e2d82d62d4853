package domain

import (
	"encoding/hex"
	"math"
	"strconv"

	"github.com/google/uuid"
)

// server_reported is most of the log: thousands of agents report every
// few seconds. Encode and Decode take a shorter way for it, written out by
// hand for the one layout Encode produces; the general JSON way remains
// for anything else (and words the errors). appendReportEvent writes
// byte for byte what the general encoder writes, or reports that it
// cannot; decodeReportFast accepts only that layout, and whatever it
// accepts the general decoder accepts and reads the same way (the tests
// and the fuzz target hold both to it).

// appendReportEvent appends e, whose payload is r, as Encode's general
// way would. ok is false when a value needs what only the general way
// does (an escaped string, a float in exponent form, a year out of range).
func appendReportEvent(b []byte, e Envelope, r ServerReported) (_ []byte, ok bool) {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, EnvelopeVersion, 10)
	b = append(b, `,"id":"`...)
	b = appendUUID(b, e.ID)
	b = append(b, `","type":"server_reported","schema":`...)
	b = strconv.AppendInt(b, int64(e.SchemaVersion), 10)
	b = append(b, `,"aggregate_id":`...)
	if b, ok = appendPlainString(b, e.AggregateID); !ok {
		return b, false
	}
	b = append(b, `,"aggregate_version":`...)
	b = strconv.AppendInt(b, e.AggregateVersion, 10)
	b = append(b, `,"actor":`...)
	if b, ok = appendPlainString(b, e.Actor); !ok {
		return b, false
	}
	b = append(b, `,"source_ip":`...)
	if b, ok = appendPlainString(b, e.SourceIP); !ok {
		return b, false
	}
	b = append(b, `,"occurred_at":`...)
	if b, ok = appendTimeJSON(b, e.OccurredAt.UTC()); !ok {
		return b, false
	}
	b = append(b, `,"payload":{"server_id":`...)
	if b, ok = appendPlainString(b, r.ServerID); !ok {
		return b, false
	}
	b = append(b, `,"ping_ms":`...)
	if b, ok = appendPlainFloat(b, r.PingMS); !ok {
		return b, false
	}
	b = append(b, `,"ping_ok":`...)
	b = strconv.AppendBool(b, r.PingOK)
	b = append(b, `,"peers":`...)
	b = strconv.AppendInt(b, int64(r.Peers), 10)
	b = append(b, `,"transfer_rx":`...)
	b = strconv.AppendUint(b, r.TransferRx, 10)
	b = append(b, `,"transfer_tx":`...)
	b = strconv.AppendUint(b, r.TransferTx, 10)
	b = append(b, `,"reported_at":`...)
	if b, ok = appendTimeJSON(b, r.ReportedAt); !ok {
		return b, false
	}
	b = append(b, `,"interface":`...)
	if r.Interface == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"public_key":`...)
		if b, ok = appendPlainString(b, r.Interface.PublicKey); !ok {
			return b, false
		}
		b = append(b, `,"listen_port":`...)
		b = strconv.AppendInt(b, int64(r.Interface.ListenPort), 10)
		b = append(b, '}')
	}
	b = append(b, `,"peer_stats":`...)
	if r.PeerStats == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, ps := range r.PeerStats {
			if i > 0 {
				b = append(b, ',')
			}
			if b, ok = appendPeerStat(b, ps); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"applied_version":`...)
	b = strconv.AppendInt(b, r.AppliedVersion, 10)
	return append(b, "}}"...), true
}

func appendPeerStat(b []byte, ps PeerStat) (_ []byte, ok bool) {
	b = append(b, `{"public_key":`...)
	if b, ok = appendPlainString(b, ps.PublicKey); !ok {
		return b, false
	}
	b = append(b, `,"endpoint":`...)
	if b, ok = appendPlainString(b, ps.Endpoint); !ok {
		return b, false
	}
	b = append(b, `,"latest_handshake_at":`...)
	if b, ok = appendTimeJSON(b, ps.LatestHandshakeAt); !ok {
		return b, false
	}
	b = append(b, `,"transfer_rx":`...)
	b = strconv.AppendUint(b, ps.TransferRx, 10)
	b = append(b, `,"transfer_tx":`...)
	b = strconv.AppendUint(b, ps.TransferTx, 10)
	return append(b, '}'), true
}

// plainByte reports whether c stands for itself inside a JSON string as
// the general encoder writes it: printable ASCII other than the quote,
// the backslash and the HTML-escaped <, > and &.
func plainByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// appendPlainString appends s quoted when no byte of it needs escaping.
func appendPlainString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if !plainByte(s[i]) {
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendPlainFloat appends f when the general encoder writes it without
// an exponent: zero, or 1e-6 <= |f| < 1e21.
func appendPlainFloat(b []byte, f float64) ([]byte, bool) {
	if abs := math.Abs(f); math.IsNaN(f) || (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
		return b, false
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64), true
}

// appendUUID appends id in its canonical text form, as its MarshalText.
func appendUUID(b []byte, id uuid.UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], id[10:])
	return append(b, buf[:]...)
}
