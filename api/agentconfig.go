package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
)

// maxAgentWait bounds the long poll; the request context must outlive it.
const maxAgentWait = 25 * time.Second

// agentConfig serves a server's desired device state to its agent, as a
// long poll: GET /api/agent/config?version=N[&server_id=ID][&wait=25s].
// A per-server token names its server; a fleet token needs server_id.
func (h *handlers) agentConfig(c *fiber.Ctx) error {
	token := bearerToken(c)
	if token == "" {
		return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "missing agent bearer token")
	}
	agent, err := h.cfg.Reports.Authenticate(c.UserContext(), token)
	if err != nil {
		return fmt.Errorf("agent config: authenticate: %w", err)
	}
	id := c.Query("server_id")
	if id == "" {
		if agent.Fleet {
			return newAPIError(http.StatusBadRequest, CodeBadRequest, "query parameter server_id is required with this token")
		}
		id = agent.Server
	}
	if err := domain.ValidateServerID(id); err != nil {
		return newAPIError(http.StatusBadRequest, CodeBadRequest, "query parameter server_id: %s", err.Error())
	}
	after := int64(-1)
	if v := c.Query("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return newAPIError(http.StatusBadRequest, CodeBadRequest, "query parameter version must be a non-negative integer")
		}
		after = n
	}
	wait := min(maxAgentWait, h.cfg.RequestTimeout-5*time.Second)
	if v := c.Query("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return newAPIError(http.StatusBadRequest, CodeBadRequest, "query parameter wait must be a duration such as 25s")
		}
		wait = min(wait, d)
	}
	ctx, cancel := context.WithCancel(c.UserContext())
	defer cancel()
	if h.cfg.Draining != nil {
		defer context.AfterFunc(h.cfg.Draining, cancel)()
	}
	probe := []domain.ServerReported{{ServerID: id}}
	if err := h.cfg.Reports.Authorize(ctx, agent, c.IP(), probe); err != nil {
		return fmt.Errorf("agent config: authorize: %w", err)
	}
	cfg, err := h.cfg.Commands.AgentConfig(ctx, id, after, max(wait, 0))
	if err != nil {
		return fmt.Errorf("agent config: %w", err)
	}
	return c.JSON(cfg)
}
