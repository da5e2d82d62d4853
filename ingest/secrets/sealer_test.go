package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func newTestSealer(t *testing.T, dir string) *Sealer {
	t.Helper()
	master := make([]byte, KeySize)
	rand.Read(master)
	store, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(master, store)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenShred(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := newTestSealer(t, dir)
	dk, err := s.NewDataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("private key material")
	sealed := dk.Seal(secret, []byte("private_key"))
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := s.Open(ctx, dk.ID, sealed, []byte("private_key"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.Open(ctx, dk.ID, sealed, []byte("preshared_key")); err == nil {
		t.Fatal("opened with the wrong associated data")
	}
	fi, err := os.Stat(filepath.Join(dir, dk.ID))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if err := s.store.DeleteKey(ctx, dk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, dk.ID, sealed, []byte("private_key")); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("open after shredding: %v, want ErrKeyNotFound", err)
	}
	if err := s.store.DeleteKey(ctx, dk.ID); err != nil {
		t.Fatalf("deleting a deleted key: %v", err)
	}
}

func TestWrongMasterKeyCannotOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := newTestSealer(t, dir)
	b := newTestSealer(t, dir)
	dk, err := a.NewDataKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, dk.ID, dk.Seal([]byte("x"), nil), nil); err == nil {
		t.Fatal("opened with another master key")
	}
}

func TestBadInputs(t *testing.T) {
	if _, err := NewSealer(make([]byte, 16), nil); err == nil {
		t.Fatal("accepted a 16-byte master key")
	}
	store, _ := NewFileStore(t.TempDir())
	if _, err := store.GetKey(context.Background(), "../etc/passwd"); err == nil {
		t.Fatal("accepted a path as key id")
	}
}
