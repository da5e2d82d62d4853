package domain

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
)

// decodeReportBinary reads an event in the binary form, b starting with
// reportBinaryMarker. Its strings share b's memory when owned is set, a
// copy of b otherwise.
func decodeReportBinary(b []byte, owned bool) (Envelope, error) {
	h := wireHeader{V: EnvelopeVersion}
	var payload []byte
	havePayload := false
	r := newProtoReader(b[1:], owned)
	for r.next() {
		switch r.num {
		case 1:
			if id := r.bytes(); len(id) == len(h.ID) {
				h.ID = uuid.UUID(id)
			} else {
				r.failField("id is %d bytes, want %d", len(id), len(h.ID))
			}
		case 2:
			h.Type = EventType(r.str())
		case 3:
			h.Schema = int(r.int64())
		case 4:
			h.AggregateID = r.str()
		case 5:
			h.AggregateVersion = r.int64()
		case 6:
			h.Actor = r.str()
		case 7:
			h.SourceIP = r.str()
		case 8:
			h.OccurredAt = r.time()
		case 9:
			payload, havePayload = r.bytes(), true
		default:
			r.unknown()
		}
	}
	if r.err != nil {
		return Envelope{}, fmt.Errorf("decode event: %w: binary envelope: %w", ErrMalformedEvent, r.err)
	}
	if err := checkHeader(h); err != nil {
		return Envelope{}, err
	}
	switch {
	case h.Type != EventServerReported:
		return Envelope{}, fmt.Errorf("decode event %s %s: %w: the binary form holds only %s",
			h.Type, h.ID, ErrMalformedEvent, EventServerReported)
	case !havePayload:
		return Envelope{}, fmt.Errorf("decode event %s %s: %w: payload is missing", h.Type, h.ID, ErrMalformedEvent)
	}
	p, err := decodeReportPayload(r.reader(payload))
	if err != nil {
		return Envelope{}, fmt.Errorf("decode event %s %s: payload: %w: %w", h.Type, h.ID, ErrMalformedEvent, err)
	}
	return h.envelope(p), nil
}

func decodeReportPayload(r protoReader) (ServerReported, error) {
	var p ServerReported
	empty := false
	for r.next() {
		switch r.num {
		case 1:
			p.ServerID = r.str()
		case 2:
			p.PingMS = math.Float64frombits(r.fixed64())
		case 3:
			p.PingOK = r.bool()
		case 4:
			p.Peers = int(r.int64())
		case 5:
			p.TransferRx = r.varint()
		case 6:
			p.TransferTx = r.varint()
		case 7:
			p.ReportedAt = r.time()
		case 8:
			in := decodeInterface(&r)
			p.Interface = &in
		case 9:
			p.PeerStats = append(p.PeerStats, decodePeerStat(&r))
		case 10:
			p.AppliedVersion = r.int64()
		case 11:
			empty = r.bool()
		default:
			r.unknown()
		}
	}
	switch {
	case r.err != nil:
		return ServerReported{}, r.err
	case empty && len(p.PeerStats) > 0:
		return ServerReported{}, errors.New("peer_stats_empty is set but there are peer stats")
	case empty:
		p.PeerStats = []PeerStat{}
	}
	return p, nil
}

func decodeInterface(r *protoReader) InterfaceInfo {
	var in InterfaceInfo
	m := r.message()
	for m.next() {
		switch m.num {
		case 1:
			in.PublicKey = m.str()
		case 2:
			in.ListenPort = int(m.int64())
		default:
			m.unknown()
		}
	}
	r.done(&m)
	return in
}

func decodePeerStat(r *protoReader) PeerStat {
	var ps PeerStat
	m := r.message()
	for m.next() {
		switch m.num {
		case 1:
			ps.PublicKey = m.str()
		case 2:
			ps.Endpoint = m.str()
		case 3:
			ps.LatestHandshakeAt = m.time()
		case 4:
			ps.TransferRx = m.varint()
		case 5:
			ps.TransferTx = m.varint()
		default:
			m.unknown()
		}
	}
	r.done(&m)
	return ps
}

// time reads a Timestamp, in UTC.
func (r *protoReader) time() time.Time {
	var sec int64
	var nsec uint64
	m := r.message()
	for m.next() {
		switch m.num {
		case 1:
			sec = m.int64()
		case 2:
			nsec = m.varint()
		default:
			m.unknown()
		}
	}
	r.done(&m)
	if nsec >= 1e9 && r.err == nil {
		r.err = fmt.Errorf("field %d: nanoseconds %d out of range", r.num, nsec)
	}
	if r.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
