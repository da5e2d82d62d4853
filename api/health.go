package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

// readyTimeout bounds one readiness check.
const readyTimeout = 5 * time.Second

// statusResponse is the body of a healthy probe.
type statusResponse struct {
	Status string `json:"status"`
}

// healthz answers 200 while the process serves HTTP.
func (h *handlers) healthz(c *fiber.Ctx) error {
	return c.JSON(statusResponse{Status: "ok"})
}

// readyz answers 200 when the log and stores answer and projections are
// caught up, else 503 with the reason.
func (h *handlers) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	if err := h.cfg.Health.Ready(ctx); err != nil {
		return newAPIError(http.StatusServiceUnavailable, CodeUnavailable, "not ready: %s", err.Error())
	}
	return c.JSON(statusResponse{Status: "ok"})
}

// openAPI serves the OpenAPI 3.0 document.
func (h *handlers) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(h.spec)
}
