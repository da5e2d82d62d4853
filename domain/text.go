package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanText makes untrusted text safe to record: invalid UTF-8 and
// control characters (NUL included, which Postgres text refuses) become
// U+FFFD, and the result is cut to at most max bytes on a rune boundary.
// Use it for text kept only to tell what a client sent, such as the email
// of a failed login.
func CleanText(s string, max int) string {
	if !strings.ContainsFunc(s, unicode.IsControl) && utf8.ValidString(s) && len(s) <= max {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, string(utf8.RuneError)) {
		if unicode.IsControl(r) {
			r = utf8.RuneError
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PlainText reports whether s is valid UTF-8 without control characters:
// what a query parameter or path segment may hold.
func PlainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
