package clickhouse

import (
	"slices"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"one without semicolon", "CREATE TABLE a (x UInt8) ENGINE = Log", []string{"CREATE TABLE a (x UInt8) ENGINE = Log"}},
		{"comments dropped", "-- head; not a split\nSELECT 1; /* block; */ SELECT 2;\n-- tail", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in string", "SELECT 'a;b', 'it''s;', 'c\\';d'; SELECT 3", []string{"SELECT 'a;b', 'it''s;', 'c\\';d'", "SELECT 3"}},
		{"semicolon in identifiers", "SELECT `x;y`, \"p;q\" FROM t", []string{"SELECT `x;y`, \"p;q\" FROM t"}},
		{"only comments", "-- nothing\n/* here */ ;;", nil},
		{"comment markers in string", "SELECT '--', '/*'", []string{"SELECT '--', '/*'"}},
	}
	for _, tt := range tests {
		if got := splitStatements(tt.src); !slices.Equal(got, tt.want) {
			t.Errorf("%s: splitStatements(%q) = %q, want %q", tt.name, tt.src, got, tt.want)
		}
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatalf("loadMigrations: %v", err)
	}
	for i, m := range ms {
		if m.version != uint32(i+1) {
			t.Errorf("%s: version %d, want %d (numbered from 1, no gaps)", m.file, m.version, i+1)
		}
	}
}
