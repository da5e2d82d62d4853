package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// ErrNoPrivateKey means the device has no private key and no key file was
// given.
var ErrNoPrivateKey = errors.New("device has no private key; set --private-key-file")

// LoadOrCreatePrivateKey reads the base64 WireGuard private key in path. When
// the file does not exist it generates a key and writes it there with mode
// 0600 (its directory 0700 when created). The key is never logged.
func LoadOrCreatePrivateKey(path string) (wgtypes.Key, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := wgtypes.ParseKey(strings.TrimSpace(string(b)))
		if err != nil {
			// The parse error may quote the file; do not wrap it.
			return wgtypes.Key{}, fmt.Errorf("private key file %s: not a base64 WireGuard key", path)
		}
		return k, nil
	case !errors.Is(err, fs.ErrNotExist):
		return wgtypes.Key{}, fmt.Errorf("read private key file: %w", err)
	}
	k, err := wgtypes.GeneratePrivateKey()
	if err != nil {
		return wgtypes.Key{}, fmt.Errorf("generate private key: %w", err)
	}
	if err := writeFileAtomic(path, []byte(k.String()+"\n"), 0o600); err != nil {
		return wgtypes.Key{}, fmt.Errorf("create private key file: %w", err)
	}
	return k, nil
}

// keyFileTooOpen reports whether the key file is readable by group or others.
func keyFileTooOpen(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().Perm()&0o077 != 0
}
