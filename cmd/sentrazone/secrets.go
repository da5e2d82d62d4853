package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// loadOrCreateSecret returns the secret in file name of dataDir, creating
// it (mode 0600) with n random bytes, base64, when absent.
func loadOrCreateSecret(dataDir, name string, n int) (string, error) {
	p := filepath.Join(dataDir, name)
	b, err := os.ReadFile(p)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	raw := make([]byte, n)
	_, _ = rand.Read(raw) // never fails (Go 1.24+)
	s := base64.StdEncoding.EncodeToString(raw)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create %s: %w", p, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("sync %s: %w", p, err)
	}
	return s, f.Close()
}

// masterKey decodes the configured master key or the data dir's own.
func masterKey(c *config) ([]byte, error) {
	s := c.MasterKey
	if s == "" {
		var err error
		if s, err = loadOrCreateSecret(c.DataDir, "master.key", 32); err != nil {
			return nil, err
		}
	}
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("invalid --master-key (%s): want base64 of 32 bytes", envName("master-key"))
	}
	return k, nil
}

// jwtSecret returns the configured secret or the data dir's own.
func jwtSecret(c *config) ([]byte, error) {
	if c.JWTSecret != "" {
		return []byte(c.JWTSecret), nil
	}
	s, err := loadOrCreateSecret(c.DataDir, "jwt.secret", 48)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
