package api

import (
	"strconv"

	"github.com/sentrazone/sentrazone/projections"
)

// appendHistory appends out as a JSON array, byte for byte what
// encoding/json writes for the same points as []historyJSON, without
// reflection.
func appendHistory(b []byte, out []projections.HistoryPoint) []byte {
	b = append(b, '[')
	for i := range out {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendHistoryPoint(b, &out[i])
	}
	return append(b, ']')
}

// appendHistoryPoint appends p as one object of appendHistory.
func appendHistoryPoint(b []byte, p *projections.HistoryPoint) []byte {
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
	b = appendJSONTime(b, p.RecordedAt.UTC())
	return append(b, '}')
}
