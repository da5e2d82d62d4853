package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func passwordAAD(email string) []byte { return []byte("password_hash:" + email) }

func hashPassword(password string, cost int) ([]byte, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CreateUser adds a user. The bcrypt hash of the password is sealed with a
// data key of the user's own before it reaches the log.
func (s *Service) CreateUser(ctx context.Context, a Actor, email, password string, role domain.Role) (projections.UserView, error) {
	norm, err := domain.NormalizeEmail(email)
	if err != nil {
		return projections.UserView{}, err
	}
	if err := domain.ValidatePassword(password); err != nil {
		return projections.UserView{}, err
	}
	hash, err := hashPassword(password, s.cfg.BcryptCost)
	if err != nil {
		return projections.UserView{}, err
	}
	dk, err := s.cfg.Sealer.NewDataKey(ctx)
	if err != nil {
		return projections.UserView{}, fmt.Errorf("create user: %w", err)
	}
	cmd := domain.CreateUser{UserID: uuid.NewString(), Email: norm, Role: role,
		PasswordHashSealed: dk.Seal(hash, passwordAAD(norm)), KeyID: dk.ID}
	if err := s.createUser(ctx, a, cmd); err != nil {
		s.shred(ctx, dk.ID)
		return projections.UserView{}, err
	}
	users, err := s.cfg.State.Users(ctx)
	if err != nil {
		return projections.UserView{}, fmt.Errorf("create user: %w", err)
	}
	for _, u := range users {
		if u.User.UserID == cmd.UserID {
			return u, nil
		}
	}
	return projections.UserView{}, fmt.Errorf("create user %s: not visible after apply", norm)
}

func (s *Service) createUser(ctx context.Context, a Actor, cmd domain.CreateUser) error {
	unlock := s.locks.Lock("user/" + cmd.Email)
	defer unlock()
	for attempt := range maxAttempts {
		existing, err := s.cfg.State.User(ctx, cmd.Email)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		ev, err := domain.DecideCreateUser(existing, cmd)
		if err != nil {
			return s.reject(ctx, a, "create_user", cmd.Email, err)
		}
		if err := s.record(ctx, ev, cmd.Email, 0, a); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		now, err := s.cfg.State.User(ctx, cmd.Email)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if now != nil && now.UserID == cmd.UserID {
			return nil
		}
		if err := pause(ctx, attempt); err != nil {
			return err
		}
	}
	return errBusy("user " + cmd.Email)
}

// Login checks a password and records the attempt either way. Unknown
// emails and wrong passwords both give ErrBadCredentials, after the same
// bcrypt work.
func (s *Service) Login(ctx context.Context, ip, email, password string) (*domain.User, error) {
	a, norm, valid := loginActor(ip, email)
	var u *domain.User
	if valid {
		var err error
		if u, err = s.cfg.State.User(ctx, norm); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
	}
	if u == nil {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, s.loginFailed(ctx, a, norm, "unknown_user")
	}
	hash, err := s.cfg.Sealer.Open(ctx, u.KeyID, u.PasswordHashSealed, passwordAAD(u.Email))
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil {
		if !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, s.loginFailed(ctx, a, norm, "bad_password")
	}
	if err := s.record(ctx, domain.LoginSucceeded{UserID: u.UserID, Email: u.Email}, u.Email, 0, a); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	return u, nil
}

// LoginThrottled records a login refused by the rate limit, with the email
// as typed (made plain text).
func (s *Service) LoginThrottled(ctx context.Context, ip, email string) error {
	a, norm, _ := loginActor(ip, email)
	if err := s.loginFailed(ctx, a, norm, "rate_limited"); !errors.Is(err, ErrBadCredentials) {
		return err
	}
	return nil
}

// loginActor is the actor of a login attempt and the email it is recorded
// under: the normalized address when valid, else the text as typed made
// plain; "(empty)" acts for an empty one.
func loginActor(ip, email string) (a Actor, norm string, valid bool) {
	norm, err := domain.NormalizeEmail(email)
	if err != nil {
		norm = domain.CleanText(email, domain.MaxEmailLen)
	}
	a = Actor{Email: norm, IP: ip}
	if norm == "" {
		a.Email = "(empty)"
	}
	return a, norm, err == nil
}

func (s *Service) loginFailed(ctx context.Context, a Actor, email, reason string) error {
	agg := email
	if agg == "" {
		agg = "(empty)"
	}
	if err := s.record(ctx, domain.LoginFailed{Email: email, Reason: reason}, agg, 0, a); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return ErrBadCredentials
}

// RecordAuditExport records that an audit export ran.
func (s *Service) RecordAuditExport(ctx context.Context, a Actor, filters map[string]string, rows int64) error {
	return s.record(ctx, domain.AuditExported{Filters: filters, Rows: rows}, domain.AuditLogTarget, 0, a)
}
