package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"ops@example.com", 254, "ops@example.com"},
		{"a\x00@x", 254, "a\uFFFD@x"},
		{"a\xff\xfeb", 254, "a\uFFFDb"},
		{"tab\there", 254, "tab\uFFFDhere"},
		{"héllo", 2, "h"},
		{"héllo", 3, "hé"},
		{strings.Repeat("x", 300), 254, strings.Repeat("x", 254)},
	}
	for _, tt := range tests {
		got := CleanText(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("CleanText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if !utf8.ValidString(got) || len(got) > tt.max || !PlainText(got) {
			t.Errorf("CleanText(%q, %d) = %q: not plain text within the bound", tt.in, tt.max, got)
		}
	}
}

func TestPlainText(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "los-angeles": true, "ünïcode ok": true,
		"nul\x00": false, "bad\xff": false, "new\nline": false, "del\x7f": false,
	} {
		if got := PlainText(s); got != want {
			t.Errorf("PlainText(%q) = %v, want %v", s, got, want)
		}
	}
}
