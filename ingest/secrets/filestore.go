package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// FileStore keeps each wrapped data key in a file of its own (mode 0600)
// in a directory: the embedded default's KeyStore.
type FileStore struct{ dir string }

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// NewFileStore creates dir (mode 0700) when missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("key store %s: %w", dir, err)
	}
	return &FileStore{dir: dir}, nil
}

func (f *FileStore) path(keyID string) (string, error) {
	if !keyIDPattern.MatchString(keyID) {
		return "", fmt.Errorf("key id %q is not valid", keyID)
	}
	return filepath.Join(f.dir, keyID), nil
}

// PutKey writes the key durably: temp file, fsync, rename.
func (f *FileStore) PutKey(_ context.Context, keyID string, wrapped []byte) error {
	p, err := f.path(keyID)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("put key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(wrapped); err != nil {
		tmp.Close()
		return fmt.Errorf("put key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("put key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put key: %w", err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("put key: %w", err)
	}
	return nil
}

// GetKey reads a key; ErrKeyNotFound when it is absent.
func (f *FileStore) GetKey(_ context.Context, keyID string) ([]byte, error) {
	p, err := f.path(keyID)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrKeyNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get key: %w", err)
	}
	return b, nil
}

// DeleteKey removes a key; an absent key is not an error.
func (f *FileStore) DeleteKey(_ context.Context, keyID string) error {
	p, err := f.path(keyID)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete key: %w", err)
	}
	return nil
}
