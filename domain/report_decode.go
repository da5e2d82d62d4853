package domain

import (
	"bytes"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Events of every type but server_reported are JSON, and so was
// server_reported before it took its binary form (report_binary.go):
// a log may hold those for as long as the reports topic keeps them. Decode
// reads both layouts the general JSON encoder writes, for a report and
// for any other event's envelope, by hand: decodeReportFast and
// decodeEnvelopeFast. Whatever they accept the general decoder accepts
// and reads the same way (the tests and the fuzz target hold them to it);
// anything else they leave to it.

// reportScan reads the layout the general encoder writes. Every step
// checks its input exactly and sets bad on the first mismatch; the caller
// then leaves the event to the general decoder.
type reportScan struct {
	b   []byte
	bad bool
}

// lit consumes s.
func (r *reportScan) lit(s string) {
	if r.bad || len(r.b) < len(s) || string(r.b[:len(s)]) != s {
		r.bad = true
		return
	}
	r.b = r.b[len(s):]
}

// peek reports whether the input goes on with s.
func (r *reportScan) peek(s string) bool {
	return !r.bad && bytes.HasPrefix(r.b, []byte(s))
}

// str consumes a quoted string of plain bytes (see plainByte): no escape
// and nothing the general decoder would read differently.
func (r *reportScan) str() string {
	raw := r.quoted()
	for _, c := range raw {
		if !plainByte(c) {
			r.bad = true
			return ""
		}
	}
	return string(raw)
}

// plainByte reports whether c stands for itself inside a JSON string as
// the general encoder writes it: printable ASCII other than the quote,
// the backslash and the HTML-escaped <, > and &.
func plainByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// quoted consumes a quoted string and returns its bytes, unchecked.
func (r *reportScan) quoted() []byte {
	if r.bad || len(r.b) == 0 || r.b[0] != '"' {
		r.bad = true
		return nil
	}
	end := bytes.IndexByte(r.b[1:], '"')
	if end < 0 {
		r.bad = true
		return nil
	}
	raw := r.b[1 : 1+end]
	r.b = r.b[end+2:]
	return raw
}

// number consumes a JSON number token: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// When integer is set, only the integer part is allowed.
func (r *reportScan) number(integer bool) []byte {
	if r.bad {
		return nil
	}
	b, i := r.b, 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		r.bad = true
		return nil
	}
	if !integer {
		if i < len(b) && b[i] == '.' {
			i++
			j := i
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
			if i == j {
				r.bad = true
				return nil
			}
		}
		if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
			i++
			if i < len(b) && (b[i] == '+' || b[i] == '-') {
				i++
			}
			j := i
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				i++
			}
			if i == j {
				r.bad = true
				return nil
			}
		}
	}
	tok := b[:i]
	r.b = b[i:]
	return tok
}

func (r *reportScan) int64() int64 { return r.signed(64) }

func (r *reportScan) int() int { return int(r.signed(strconv.IntSize)) }

// signed consumes an integer that fits bits bits.
func (r *reportScan) signed(bits int) int64 {
	tok := r.number(true)
	if r.bad {
		return 0
	}
	v, err := strconv.ParseInt(string(tok), 10, bits)
	if err != nil {
		r.bad = true
	}
	return v
}

func (r *reportScan) uint64() uint64 {
	tok := r.number(true)
	if r.bad {
		return 0
	}
	v, err := strconv.ParseUint(string(tok), 10, 64)
	if err != nil {
		r.bad = true
	}
	return v
}

func (r *reportScan) float() float64 {
	tok := r.number(false)
	if r.bad {
		return 0
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		r.bad = true
	}
	return v
}

func (r *reportScan) bool() bool {
	switch {
	case r.peek("true"):
		r.lit("true")
		return true
	case r.peek("false"):
		r.lit("false")
		return false
	}
	r.bad = true
	return false
}

// time consumes a quoted time in the shape RFC3339Nano writes, which
// every JSON decoder reads alike.
func (r *reportScan) time() time.Time {
	raw := r.quoted()
	if r.bad {
		return time.Time{}
	}
	t, ok := parseTimeJSON(raw)
	if !ok {
		r.bad = true
	}
	return t
}

// uuid consumes a quoted id in its canonical 36-byte form.
func (r *reportScan) uuid() uuid.UUID {
	raw := r.quoted()
	if r.bad || len(raw) != 36 {
		r.bad = true
		return uuid.Nil
	}
	id, err := uuid.ParseBytes(raw)
	if err != nil {
		r.bad = true
	}
	return id
}

// decodeReportFast reads a server_reported event in the layout the general
// JSON encoder writes (as Encode did before the binary form). ok is false for anything else, valid or not.
func decodeReportFast(b []byte) (_ Envelope, ok bool) {
	r := reportScan{b: b}
	var e Envelope
	var p ServerReported
	r.lit(`{"v":1,"id":`)
	e.ID = r.uuid()
	r.lit(`,"type":"server_reported","schema":1,"aggregate_id":`)
	e.AggregateID = r.str()
	r.lit(`,"aggregate_version":`)
	e.AggregateVersion = r.int64()
	r.lit(`,"actor":`)
	e.Actor = r.str()
	r.lit(`,"source_ip":`)
	e.SourceIP = r.str()
	r.lit(`,"occurred_at":`)
	e.OccurredAt = r.time().UTC()
	r.lit(`,"payload":{"server_id":`)
	p.ServerID = r.str()
	r.lit(`,"ping_ms":`)
	p.PingMS = r.float()
	r.lit(`,"ping_ok":`)
	p.PingOK = r.bool()
	r.lit(`,"peers":`)
	p.Peers = r.int()
	r.lit(`,"transfer_rx":`)
	p.TransferRx = r.uint64()
	r.lit(`,"transfer_tx":`)
	p.TransferTx = r.uint64()
	r.lit(`,"reported_at":`)
	p.ReportedAt = r.time()
	r.lit(`,"interface":`)
	if r.peek("null") {
		r.lit("null")
	} else {
		var in InterfaceInfo
		r.lit(`{"public_key":`)
		in.PublicKey = r.str()
		r.lit(`,"listen_port":`)
		in.ListenPort = r.int()
		r.lit("}")
		p.Interface = &in
	}
	r.lit(`,"peer_stats":`)
	if r.peek("null") {
		r.lit("null")
	} else {
		r.lit("[")
		p.PeerStats = []PeerStat{}
		for !r.bad && !r.peek("]") {
			if len(p.PeerStats) > 0 {
				r.lit(",")
			}
			var ps PeerStat
			r.lit(`{"public_key":`)
			ps.PublicKey = r.str()
			r.lit(`,"endpoint":`)
			ps.Endpoint = r.str()
			r.lit(`,"latest_handshake_at":`)
			ps.LatestHandshakeAt = r.time()
			r.lit(`,"transfer_rx":`)
			ps.TransferRx = r.uint64()
			r.lit(`,"transfer_tx":`)
			ps.TransferTx = r.uint64()
			r.lit("}")
			p.PeerStats = append(p.PeerStats, ps)
		}
		r.lit("]")
	}
	r.lit(`,"applied_version":`)
	p.AppliedVersion = r.int64()
	r.lit("}}")
	if r.bad || len(r.b) != 0 || e.ID == uuid.Nil {
		return Envelope{}, false
	}
	e.Type = EventServerReported
	e.SchemaVersion = 1
	e.Payload = p
	return e, true
}

// decodeEnvelopeFast reads an event of any type whose envelope is in the
// layout Encode writes: the envelope by hand, the payload as the general
// decoder does. ok is false for anything else, valid or not.
func decodeEnvelopeFast(b []byte) (_ Envelope, ok bool) {
	r := reportScan{b: b}
	var h wireHeader
	r.lit(`{"v":`)
	h.V = r.int()
	r.lit(`,"id":`)
	h.ID = r.uuid()
	r.lit(`,"type":`)
	h.Type = EventType(r.str())
	r.lit(`,"schema":`)
	h.Schema = r.int()
	r.lit(`,"aggregate_id":`)
	h.AggregateID = r.str()
	r.lit(`,"aggregate_version":`)
	h.AggregateVersion = r.int64()
	r.lit(`,"actor":`)
	h.Actor = r.str()
	r.lit(`,"source_ip":`)
	h.SourceIP = r.str()
	r.lit(`,"occurred_at":`)
	h.OccurredAt = r.time()
	r.lit(`,"payload":`)
	if r.bad || len(r.b) < 2 || r.b[len(r.b)-1] != '}' || checkHeader(h) != nil {
		return Envelope{}, false
	}
	raw := r.b[:len(r.b)-1]
	if string(raw) == "null" {
		return Envelope{}, false
	}
	p, err := registry[h.Type].decode(raw)
	if err != nil {
		return Envelope{}, false
	}
	return h.envelope(p), true
}
