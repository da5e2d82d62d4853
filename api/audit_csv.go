package api

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sentrazone/sentrazone/projections"
)

// The audit export writes its CSV by hand into one reused buffer:
// encoding/csv takes every cell as a string, and converting a million
// ids and times to strings made ~150 MB of garbage per export, which a
// control plane holding a large read model in memory does not collect
// before its resident memory has grown by as much. appendCSVField quotes
// exactly as encoding/csv does (held to it by a test).

var auditCSVHeader = []string{"id", "actor", "action", "target", "ip", "created_at"}

// appendCSVRecord appends fields as encoding/csv's Writer.Write does,
// with ',' and "\n".
func appendCSVRecord(b []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, f)
	}
	return append(b, '\n')
}

// appendAuditRow appends r as one CSV row, every text cell neutralised.
func appendAuditRow(b []byte, r projections.AuditRow) []byte {
	b = strconv.AppendInt(b, r.ID, 10)
	for _, s := range []string{r.Actor, r.Action, r.Target, r.IP} {
		b = append(b, ',')
		b = appendCSVField(b, csvSafe(s))
	}
	b = append(b, ',')
	b = r.CreatedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '\n')
}

// appendCSVField appends s as encoding/csv writes a field: quoted, with
// its quotes doubled, when it is `\.`, holds a comma, a quote, a CR or an
// LF, or starts with a space.
func appendCSVField(b []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` || strings.ContainsAny(s, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// csvSafe defuses spreadsheet formulas: a cell starting with '=', '+',
// '-', '@', tab or carriage return gets a leading single quote.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
