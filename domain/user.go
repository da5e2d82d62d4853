package domain

import (
	"fmt"
	"net/mail"
	"strings"
)

// Role is what a user may do.
type Role string

// Roles.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Password length bounds, in bytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// MaxEmailLen is the longest email address accepted, in bytes.
const MaxEmailLen = 254

// User is the state of one user account: the aggregate user_created is
// applied to. Its aggregate id is the lowercased email.
type User struct {
	UserID             string
	Email              string
	Role               Role
	PasswordHashSealed []byte
	KeyID              string
	// Version is the number of events applied.
	Version int64
}

// CreateUser is the command to add a user. PasswordHashSealed is the password
// hash sealed with data key KeyID; the caller hashes and seals.
type CreateUser struct {
	UserID             string
	Email              string
	Role               Role
	PasswordHashSealed []byte
	KeyID              string
}

// NormalizeEmail validates a bare email address (no display name, at most
// 254 characters) and returns it lowercased: the user's aggregate id.
func NormalizeEmail(email string) (string, error) {
	e := strings.TrimSpace(email)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > MaxEmailLen {
		return "", invalidf("email %q is invalid: use a plain address such as admin@example.com, at most %d characters", email, MaxEmailLen)
	}
	return strings.ToLower(e), nil
}

// ValidatePassword checks the password policy: 8 to 128 bytes.
func ValidatePassword(p string) error {
	if len(p) < MinPasswordLen || len(p) > MaxPasswordLen {
		return invalidf("password must be between %d and %d bytes long", MinPasswordLen, MaxPasswordLen)
	}
	return nil
}

// DecideCreateUser validates cmd against the existing user with the same
// email, nil when there is none, and returns the event to append under
// aggregate id UserCreated.Email with seen version 0. An existing user is a
// KindConflict.
func DecideCreateUser(existing *User, cmd CreateUser) (UserCreated, error) {
	email, err := NormalizeEmail(cmd.Email)
	if err != nil {
		return UserCreated{}, err
	}
	if existing != nil && existing.Email != "" {
		return UserCreated{}, conflictf("a user with email %q already exists", email)
	}
	if err := validateID("user id", cmd.UserID); err != nil {
		return UserCreated{}, err
	}
	if cmd.Role != RoleAdmin && cmd.Role != RoleUser {
		return UserCreated{}, invalidf("role %q is invalid: use %q or %q", cmd.Role, RoleAdmin, RoleUser)
	}
	if len(cmd.PasswordHashSealed) == 0 || cmd.KeyID == "" {
		return UserCreated{}, invalidf("a user needs a sealed password hash and the id of its data key")
	}
	return UserCreated{
		UserID:             cmd.UserID,
		Email:              email,
		Role:               cmd.Role,
		PasswordHashSealed: cmd.PasswordHashSealed,
		KeyID:              cmd.KeyID,
	}, nil
}

// Apply applies one event of the user's stream and bumps Version, with the
// same error contract as (*Server).Apply.
func (u *User) Apply(e Envelope) error {
	if err := checkVersion(e, u.Version); err != nil {
		return fmt.Errorf("apply to user: %w", err)
	}
	switch p := e.Payload.(type) {
	case UserCreated:
		if u.Email != "" {
			return fmt.Errorf("apply %s to user %q: %w", e.Type, e.AggregateID, conflictf("a user with email %q already exists", u.Email))
		}
		if p.Email != e.AggregateID {
			return fmt.Errorf("apply %s to user %q: %w: payload is for %q", e.Type, e.AggregateID, ErrUnexpectedEvent, p.Email)
		}
		u.UserID, u.Email, u.Role = p.UserID, p.Email, p.Role
		u.PasswordHashSealed, u.KeyID = p.PasswordHashSealed, p.KeyID
	default:
		return fmt.Errorf("apply %s to user %q: %w: not a user event", e.Type, e.AggregateID, ErrUnexpectedEvent)
	}
	u.Version++
	return nil
}
