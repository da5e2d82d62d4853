package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// managedFile is the on-disk form of the managed peer set.
type managedFile struct {
	Interface  string   `json:"interface"`
	PublicKeys []string `json:"public_keys"`
}

// managedSet remembers which peers Sentrazone put on the device, so that a
// peer that is no longer desired is removed even after a restart, while
// peers added by hand stay. It is persisted in the state dir.
type managedSet struct {
	path  string
	iface string
	keys  map[wgtypes.Key]bool
}

// loadManaged reads the set for iface from stateDir; a missing file is an
// empty set.
func loadManaged(stateDir, iface string) (*managedSet, error) {
	m := &managedSet{
		path:  filepath.Join(stateDir, "managed-peers-"+iface+".json"),
		iface: iface,
		keys:  map[wgtypes.Key]bool{},
	}
	b, err := os.ReadFile(m.path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load managed peers: %w", err)
	}
	var f managedFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("load managed peers %s: %w", m.path, err)
	}
	for _, s := range f.PublicKeys {
		k, err := wgtypes.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("load managed peers %s: bad key %q", m.path, s)
		}
		m.keys[k] = true
	}
	return m, nil
}

// snapshot returns a copy of the set.
func (m *managedSet) snapshot() map[wgtypes.Key]bool {
	out := make(map[wgtypes.Key]bool, len(m.keys))
	for k := range m.keys {
		out[k] = true
	}
	return out
}

// replace sets the managed keys and persists them when they changed.
func (m *managedSet) replace(keys map[wgtypes.Key]bool) error {
	if sameKeys(m.keys, keys) {
		return nil
	}
	f := managedFile{Interface: m.iface, PublicKeys: make([]string, 0, len(keys))}
	for k := range keys {
		f.PublicKeys = append(f.PublicKeys, k.String())
	}
	slices.Sort(f.PublicKeys)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("save managed peers: %w", err)
	}
	if err := writeFileAtomic(m.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save managed peers: %w", err)
	}
	m.keys = keys
	return nil
}

func sameKeys(a, b map[wgtypes.Key]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
