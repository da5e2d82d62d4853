package clickhouse

import "strings"

// splitStatements cuts a migration file into statements at each semicolon
// outside quotes and comments. Comments are dropped; blank statements too.
// Quotes are ClickHouse's: 'string' (with ” or \' inside), "identifier" and
// `identifier`.
func splitStatements(src string) []string {
	var (
		out   []string
		cur   strings.Builder
		flush = func() {
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	)
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				i = len(src)
			} else {
				i += end - 1 // the newline itself is kept
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				i = len(src)
			} else {
				i += 2 + end + 1
			}
			cur.WriteByte(' ')
		case c == '\'' || c == '"' || c == '`':
			end := quotedEnd(src, i)
			cur.WriteString(src[i:end])
			i = end - 1
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

// quotedEnd returns the index just past the quoted text starting at src[start].
// A doubled quote or a backslash escapes the next character; an unterminated
// quote runs to the end of src.
func quotedEnd(src string, start int) int {
	q := src[start]
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case q:
			if i+1 < len(src) && src[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(src)
}
