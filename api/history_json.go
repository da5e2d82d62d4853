package api

import "strconv"

// appendHistory appends out as a JSON array, byte for byte what
// encoding/json writes for []historyJSON, without reflection: 100 servers
// over 72 h are 43,200 buckets, 5 MB.
func appendHistory(b []byte, out []historyJSON) []byte {
	b = append(b, '[')
	for i := range out {
		if i > 0 {
			b = append(b, ',')
		}
		p := &out[i]
		b = append(b, `{"server_id":`...)
		b = appendJSONString(b, p.ServerID)
		b = append(b, `,"ping_ms":`...)
		if p.PingMS == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONFloat(b, *p.PingMS)
		}
		b = append(b, `,"transfer_rx":`...)
		b = strconv.AppendUint(b, p.TransferRx, 10)
		b = append(b, `,"transfer_tx":`...)
		b = strconv.AppendUint(b, p.TransferTx, 10)
		b = append(b, `,"recorded_at":`...)
		b = appendJSONTime(b, p.RecordedAt)
		b = append(b, '}')
	}
	return append(b, ']')
}
