package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// createUserRequest is the body of POST /api/users.
type createUserRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// userJSON is a user account; password material never leaves the server.
type userJSON struct {
	ID        string      `json:"id"`
	Email     string      `json:"email"`
	Role      domain.Role `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
}

func toUserJSON(v projections.UserView) userJSON {
	return userJSON{ID: v.User.UserID, Email: v.User.Email, Role: v.User.Role, CreatedAt: v.CreatedAt.UTC()}
}

// createUser adds a user account.
func (h *handlers) createUser(c *fiber.Ctx) error {
	var req createUserRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := h.cfg.Commands.CreateUser(c.UserContext(), actor(c), req.Email, req.Password, domain.Role(req.Role))
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return c.Status(http.StatusCreated).JSON(toUserJSON(v))
}

// listUsers answers every user, sorted by email.
func (h *handlers) listUsers(c *fiber.Ctx) error {
	views, err := h.cfg.State.Users(c.UserContext())
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	out := make([]userJSON, 0, len(views))
	for _, v := range views {
		out = append(out, toUserJSON(v))
	}
	return c.JSON(out)
}
