package api

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// appendStatuses appends out as a JSON array, byte for byte what
// encoding/json writes for []statusJSON, without reflection: the answer
// for ten thousand servers is 1.5 MB, and encoding it was most of the
// request.
func appendStatuses(b []byte, out []statusJSON) []byte {
	b = append(b, '[')
	for i := range out {
		if i > 0 {
			b = append(b, ',')
		}
		s := &out[i]
		b = append(b, `{"server_id":`...)
		b = appendJSONString(b, s.ServerID)
		b = append(b, `,"online":`...)
		b = strconv.AppendBool(b, s.Online)
		b = append(b, `,"ping_ms":`...)
		if s.PingMS == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONFloat(b, *s.PingMS)
		}
		b = append(b, `,"peers":`...)
		b = strconv.AppendInt(b, int64(s.Peers), 10)
		b = append(b, `,"transfer_rx":`...)
		b = strconv.AppendUint(b, s.TransferRx, 10)
		b = append(b, `,"transfer_tx":`...)
		b = strconv.AppendUint(b, s.TransferTx, 10)
		b = append(b, `,"reported_at":`...)
		if s.ReportedAt == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONTime(b, *s.ReportedAt)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString writes s quoted. Printable ASCII without characters
// encoding/json escapes is copied; anything else goes through
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONFloat writes f as encoding/json does; a NaN or infinity, which
// JSON cannot carry (and the domain refuses), becomes null.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if abs := math.Abs(f); abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	q, _ := json.Marshal(f) // finite floats always marshal
	return append(b, q...)
}

// appendJSONTime writes t as time.Time's MarshalJSON does. UTC times of
// whole seconds from 1970 to 9999, which every history bucket is, take a
// shorter way: 43,200 buckets are 43,200 times.
func appendJSONTime(b []byte, t time.Time) []byte {
	sec := t.Unix()
	if t.Location() != time.UTC || t.Nanosecond() != 0 || sec < 0 || sec >= maxFastTime {
		b = append(b, '"')
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	y, mo, d := civilDate(sec / 86400)
	sod := int(sec % 86400)
	b = append(b, '"')
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, mo, 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, sod/3600, 2)
	b = append(b, ':')
	b = appendDigits(b, sod/60%60, 2)
	b = append(b, ':')
	b = appendDigits(b, sod%60, 2)
	return append(b, 'Z', '"')
}

// maxFastTime is 10000-01-01T00:00:00Z in Unix seconds.
const maxFastTime = 253402300800

// civilDate returns the date of a day counted from 1970-01-01 (>= 0), in
// the proleptic Gregorian calendar: eras of 400 years, years starting on
// March 1 so that the leap day comes last.
func civilDate(days int64) (year, month, day int) {
	z := days + 719468 // days from 0000-03-01
	era := z / 146097
	doe := z - era*146097                                  // day of era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1
	mp := (5*doy + 2) / 153                                // month from March, 0..11
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendDigits writes 0 <= v < 10^width in width digits.
func appendDigits(b []byte, v, width int) []byte {
	var buf [4]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:width]...)
}
