package domain

import (
	"math"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// server_reported is most of the log, so Encode writes it in a compact
// binary form instead of JSON: the marker byte reportBinaryMarker, then
// a Protocol Buffers message (the wire format only; `protoc
// --decode_raw` shows a record after its first byte). As a .proto:
//
//	message Event {
//	  bytes     id                = 1; // the UUID's 16 bytes
//	  string    type              = 2; // "server_reported"
//	  int64     schema            = 3;
//	  string    aggregate_id      = 4;
//	  int64     aggregate_version = 5;
//	  string    actor             = 6;
//	  string    source_ip         = 7;
//	  Timestamp occurred_at       = 8;
//	  Report    payload           = 9;
//	}
//	message Report {
//	  string    server_id        = 1;
//	  double    ping_ms          = 2;
//	  bool      ping_ok          = 3;
//	  int64     peers            = 4;
//	  uint64    transfer_rx      = 5;
//	  uint64    transfer_tx      = 6;
//	  Timestamp reported_at      = 7;
//	  Interface interface        = 8;  // absent: none
//	  repeated PeerStat peer_stats = 9;
//	  int64     applied_version  = 10;
//	  bool      peer_stats_empty = 11; // an empty list, not none
//	}
//	message Interface { string public_key = 1; int64 listen_port = 2; }
//	message PeerStat {
//	  string public_key = 1; string endpoint = 2;
//	  Timestamp latest_handshake_at = 3;
//	  uint64 transfer_rx = 4; uint64 transfer_tx = 5;
//	}
//	message Timestamp { int64 seconds = 1; int32 nanos = 2; } // absent: the zero time
//
// Zero values are left out, fields are written in number order, so the
// same event always encodes to the same bytes. Decode reads this form
// strictly (an unknown field or a field of the wrong kind is malformed,
// as in JSON) and still reads the JSON that earlier builds wrote.

// reportBinaryMarker starts a binary event; JSON never starts with it.
const reportBinaryMarker = 0x01

// appendReportBinary appends e, whose payload is r, in the binary form.
func appendReportBinary(b []byte, e Envelope, r ServerReported) []byte {
	b = append(b, reportBinaryMarker)
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, e.ID[:])
	b = appendStringField(b, 2, string(e.Type))
	b = appendVarintField(b, 3, uint64(e.SchemaVersion))
	b = appendStringField(b, 4, e.AggregateID)
	b = appendVarintField(b, 5, uint64(e.AggregateVersion))
	b = appendStringField(b, 6, e.Actor)
	b = appendStringField(b, 7, e.SourceIP)
	b = appendTimeField(b, 8, e.OccurredAt)
	b, at := beginMessage(b, 9)
	b = appendReportPayload(b, r)
	return endMessage(b, at)
}

func appendReportPayload(b []byte, r ServerReported) []byte {
	b = appendStringField(b, 1, r.ServerID)
	if r.PingMS != 0 || math.Signbit(r.PingMS) {
		b = protowire.AppendTag(b, 2, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(r.PingMS))
	}
	if r.PingOK {
		b = appendVarintField(b, 3, 1)
	}
	b = appendVarintField(b, 4, uint64(int64(r.Peers)))
	b = appendVarintField(b, 5, r.TransferRx)
	b = appendVarintField(b, 6, r.TransferTx)
	b = appendTimeField(b, 7, r.ReportedAt)
	if in := r.Interface; in != nil {
		var at int
		b, at = beginMessage(b, 8)
		b = appendStringField(b, 1, in.PublicKey)
		b = appendVarintField(b, 2, uint64(int64(in.ListenPort)))
		b = endMessage(b, at)
	}
	for _, ps := range r.PeerStats {
		var at int
		b, at = beginMessage(b, 9)
		b = appendStringField(b, 1, ps.PublicKey)
		b = appendStringField(b, 2, ps.Endpoint)
		b = appendTimeField(b, 3, ps.LatestHandshakeAt)
		b = appendVarintField(b, 4, ps.TransferRx)
		b = appendVarintField(b, 5, ps.TransferTx)
		b = endMessage(b, at)
	}
	b = appendVarintField(b, 10, uint64(r.AppliedVersion))
	if r.PeerStats != nil && len(r.PeerStats) == 0 {
		b = appendVarintField(b, 11, 1)
	}
	return b
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendStringField(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendTimeField appends t as a Timestamp, nothing for the zero time.
func appendTimeField(b []byte, num protowire.Number, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b, at := beginMessage(b, num)
	b = appendVarintField(b, 1, uint64(t.Unix()))
	b = appendVarintField(b, 2, uint64(t.Nanosecond()))
	return endMessage(b, at)
}

// beginMessage appends the tag of a message field and one byte for its
// length, and returns that byte's index; the caller appends the message
// and hands the result to endMessage.
func beginMessage(b []byte, num protowire.Number) (_ []byte, at int) {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return append(b, 0), len(b)
}

// endMessage writes the length of the message after at, moving it when
// the length takes more than one byte.
func endMessage(b []byte, at int) []byte {
	n := len(b) - at - 1
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	k := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, k-1)...)
	copy(b[at+k:], b[at+1:at+1+n])
	protowire.AppendVarint(b[:at], uint64(n))
	return b
}
