package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/sentrazone/sentrazone/domain"
)

// signingMethod is the only algorithm tokens are signed and accepted with.
var signingMethod = jwt.SigningMethodHS256

// claims are a user token's claims: sub (user id), email, role, iat, exp
// and jti.
type claims struct {
	Email string      `json:"email"`
	Role  domain.Role `json:"role"`
	jwt.RegisteredClaims
}

// claimsKey is the fiber Locals key of an authenticated request's claims.
type claimsKey struct{}

// issueToken signs a 24 h token for u.
func (h *handlers) issueToken(u *domain.User, now time.Time) (string, error) {
	cl := claims{
		Email: u.Email,
		Role:  u.Role,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   u.UserID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(tokenLifetime)),
			ID:        uuid.NewString(),
		},
	}
	s, err := jwt.NewWithClaims(signingMethod, cl).SignedString(h.cfg.JWTSecret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// parseToken verifies a token's HS256 signature, expiry and claims.
func (h *handlers) parseToken(s string) (*claims, error) {
	var cl claims
	_, err := jwt.ParseWithClaims(s, &cl,
		func(*jwt.Token) (any, error) { return h.cfg.JWTSecret, nil },
		jwt.WithValidMethods([]string{signingMethod.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(h.cfg.Now),
	)
	if err != nil {
		return nil, fmt.Errorf("parse token: %w", err)
	}
	if cl.Subject == "" || (cl.Role != domain.RoleAdmin && cl.Role != domain.RoleUser) {
		return nil, errors.New("parse token: missing subject or unknown role")
	}
	return &cl, nil
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header, "" when there is none.
func bearerToken(c *fiber.Ctx) string {
	scheme, token, ok := strings.Cut(c.Get(fiber.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate returns middleware that requires a valid user token: with
// role admin for RoleAdmin, with any role for RoleUser.
func (h *handlers) authenticate(need domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearerToken(c)
		if tok == "" {
			return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "missing bearer token")
		}
		cl, err := h.parseToken(tok)
		if err != nil {
			h.log.Info("token rejected", "ip", c.IP(), "path", c.Path(), "reason", err.Error())
			return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "invalid or expired token")
		}
		if need == domain.RoleAdmin && cl.Role != domain.RoleAdmin {
			return newAPIError(http.StatusForbidden, CodeForbidden, "this route needs the admin role")
		}
		c.Locals(claimsKey{}, cl)
		return c.Next()
	}
}

// actor is who sends the request: the token's email and the client IP.
func actor(c *fiber.Ctx) Actor {
	a := Actor{IP: c.IP()}
	if cl, ok := c.Locals(claimsKey{}).(*claims); ok {
		a.Email = cl.Email
	}
	return a
}
