package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"admin@example.com", "admin@example.com", true},
		{" Admin@Example.COM ", "admin@example.com", true},
		{"a.b+tag@sub.example.org", "a.b+tag@sub.example.org", true},
		{"", "", false},
		{"no-at-sign", "", false},
		{"two@@example.com", "", false},
		{"Bob <bob@example.com>", "", false},
		{"bob@example.com, eve@example.com", "", false},
		{strings.Repeat("a", 243) + "@example.com", "", false}, // 255 chars
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", true},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !IsKind(err, KindInvalid) {
			t.Errorf("NormalizeEmail(%q) kind: %v", tt.in, err)
		}
	}
}

func TestDecideCreateUser(t *testing.T) {
	valid := CreateUser{UserID: "u1", Email: "Admin@Example.com", Role: RoleAdmin, PasswordHashSealed: []byte("x"), KeyID: "k"}
	tests := []struct {
		name string
		edit func(c *CreateUser)
		kind ErrorKind // "" for success
	}{
		{"valid admin", func(*CreateUser) {}, ""},
		{"valid user", func(c *CreateUser) { c.Role = RoleUser }, ""},
		{"bad role", func(c *CreateUser) { c.Role = "root" }, KindInvalid},
		{"empty role", func(c *CreateUser) { c.Role = "" }, KindInvalid},
		{"bad email", func(c *CreateUser) { c.Email = "admin" }, KindInvalid},
		{"bad user id", func(c *CreateUser) { c.UserID = "" }, KindInvalid},
		{"no password hash", func(c *CreateUser) { c.PasswordHashSealed = nil }, KindInvalid},
		{"no key id", func(c *CreateUser) { c.KeyID = "" }, KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := valid
			tt.edit(&cmd)
			got, err := DecideCreateUser(nil, cmd)
			if tt.kind != "" {
				if !IsKind(err, tt.kind) {
					t.Fatalf("err = %v, want %s", err, tt.kind)
				}
				return
			}
			if err != nil || got.Email != "admin@example.com" || got.Role != cmd.Role {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestUserApplyAndDuplicate(t *testing.T) {
	cmd := CreateUser{UserID: "u1", Email: "admin@example.com", Role: RoleAdmin, PasswordHashSealed: []byte("x"), KeyID: "k"}
	p, err := DecideCreateUser(nil, cmd)
	if err != nil {
		t.Fatal(err)
	}
	var u User
	if err := u.Apply(event(p, "other@example.com", 0)); !errors.Is(err, ErrUnexpectedEvent) || u.Version != 0 {
		t.Fatalf("wrong aggregate id: %v", err)
	}
	if err := u.Apply(event(p, p.Email, 0)); err != nil {
		t.Fatal(err)
	}
	if u.UserID != "u1" || u.Role != RoleAdmin || u.Version != 1 {
		t.Fatalf("state %+v", u)
	}
	if _, err := DecideCreateUser(&u, cmd); !IsKind(err, KindConflict) {
		t.Fatalf("duplicate: err = %v, want KindConflict", err)
	}
	if err := u.Apply(event(p, p.Email, 0)); !errors.Is(err, ErrVersionConflict) {
		t.Fatalf("stale apply: err = %v, want ErrVersionConflict", err)
	}
	if err := u.Apply(event(LoginSucceeded{Email: p.Email}, p.Email, 1)); !errors.Is(err, ErrUnexpectedEvent) {
		t.Fatalf("login event: err = %v, want ErrUnexpectedEvent", err)
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		p  string
		ok bool
	}{
		{"", false},
		{strings.Repeat("a", 7), false},
		{strings.Repeat("a", 8), true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{strings.Repeat("é", 4), true}, // 8 bytes
	}
	for _, tt := range tests {
		if err := ValidatePassword(tt.p); (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%d bytes) = %v, want ok=%v", len(tt.p), err, tt.ok)
		}
	}
}
