package api

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/ingest"
)

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// tokenResponse is the answer to a successful login.
type tokenResponse struct {
	Token string `json:"token"`
}

// login exchanges credentials for a JWT. Attempts are rate limited per
// client IP, then per email.
func (h *handlers) login(c *fiber.Ctx) error {
	ip := c.IP()
	var req loginRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return badRequest("email and password are required")
	}
	if err := h.limit(c, h.loginIP, "ip", ipBucket(ip), req.Email); err != nil {
		return err
	}
	if err := h.limit(c, h.loginEmail, "email", emailBucket(req.Email), req.Email); err != nil {
		return err
	}
	u, err := h.cfg.Commands.Login(c.UserContext(), ip, req.Email, req.Password)
	if err != nil {
		if errors.Is(err, ingest.ErrBadCredentials) {
			h.log.Info("login failed", "ip", ip)
		}
		return fmt.Errorf("login: %w", err)
	}
	if u == nil {
		return errors.New("login: no user returned")
	}
	tok, err := h.issueToken(u, h.cfg.Now())
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenResponse{Token: tok})
}
