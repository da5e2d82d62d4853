package domain

import "time"

// AppendReportEvent appends to dst the server_reported event of r, sent
// by its agent from ip at now, as NewEvent and EncodeAs in format f write
// it. The binary form is written straight from r: no Envelope holds the
// report boxed, and the bytes land where the caller's other reports do
// instead of in an allocation of their own (ingest writes a request's
// reports into one buffer).
func AppendReportEvent(dst []byte, r ServerReported, ip string, now time.Time, f ReportFormat) ([]byte, error) {
	actor := AgentActor(r.ServerID)
	if f != ReportsBinary {
		e, err := NewEvent(r, r.ServerID, 0, actor, ip, now)
		if err != nil {
			return dst, err
		}
		b, err := EncodeAs(e, f)
		if err != nil {
			return dst, err
		}
		return append(dst, b...), nil
	}
	e, err := newEnvelope(EventServerReported, r.ServerID, 0, actor, ip, now)
	if err != nil {
		return dst, err
	}
	return appendReportBinary(dst, e, r), nil
}
