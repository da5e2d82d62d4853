package domain

// User and login event types.
const (
	EventUserCreated    EventType = "user_created"
	EventLoginSucceeded EventType = "login_succeeded"
	EventLoginFailed    EventType = "login_failed"
)

// UserCreated records a new user. AggregateID: the lowercased email.
type UserCreated struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Role   Role   `json:"role"`
	// PasswordHashSealed is the password hash encrypted with data key KeyID.
	PasswordHashSealed []byte `json:"password_hash_sealed"`
	KeyID              string `json:"key_id"`
}

// EventType implements Payload.
func (UserCreated) EventType() EventType { return EventUserCreated }

// AuditTarget implements Payload: the email.
func (e UserCreated) AuditTarget() string { return e.Email }

// LoginSucceeded records a successful login. Unversioned; AggregateID: the
// lowercased email.
type LoginSucceeded struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
}

// EventType implements Payload.
func (LoginSucceeded) EventType() EventType { return EventLoginSucceeded }

// AuditTarget implements Payload: the email.
func (e LoginSucceeded) AuditTarget() string { return e.Email }

// LoginFailed records a refused login, for any email typed (the user may not
// exist). Unversioned; AggregateID: the email as typed, lowercased.
type LoginFailed struct {
	Email string `json:"email"`
	// Reason is for auditors, never for the client, e.g. "bad_password",
	// "unknown_user", "rate_limited".
	Reason string `json:"reason"`
}

// EventType implements Payload.
func (LoginFailed) EventType() EventType { return EventLoginFailed }

// AuditTarget implements Payload: the email.
func (e LoginFailed) AuditTarget() string { return e.Email }
