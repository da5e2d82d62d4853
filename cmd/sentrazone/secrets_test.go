package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGeneratedSecretsAreKeptWithMode0600(t *testing.T) {
	c := &config{DataDir: t.TempDir()}
	first, err := jwtSecret(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 32 {
		t.Fatalf("generated JWT secret has %d bytes", len(first))
	}
	again, err := jwtSecret(c)
	if err != nil || string(again) != string(first) {
		t.Fatalf("secret not kept across starts: %v", err)
	}
	if _, err := masterKey(c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"jwt.secret", "master.key"} {
		fi, err := os.Stat(filepath.Join(c.DataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	c.JWTSecret = "configured-secret-of-at-least-32-bytes!"
	if s, _ := jwtSecret(c); string(s) != c.JWTSecret {
		t.Fatal("a configured secret must win over the generated one")
	}
}
