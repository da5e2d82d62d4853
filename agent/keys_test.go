package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

func TestLoadOrCreatePrivateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "wg0.key")
	k, err := LoadOrCreatePrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Fatalf("key dir mode = %v, want 0700", dst.Mode().Perm())
	}
	if k == (wgtypes.Key{}) {
		t.Fatal("zero key")
	}
	again, err := LoadOrCreatePrivateKey(path)
	if err != nil || again != k {
		t.Fatalf("reload: %v, same key: %v", err, again == k)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("stray files next to the key: %v", entries)
	}
}

func TestLoadPrivateKeyRejectsGarbageWithoutQuotingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wg0.key")
	if err := os.WriteFile(path, []byte("secret-but-broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreatePrivateKey(path)
	if err == nil || strings.Contains(err.Error(), "secret-but-broken") {
		t.Fatalf("err = %v", err)
	}
}
