package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// registerServerRequest is the body of POST /api/servers. Subnet and DNS
// may be empty for the defaults (10.8.0.0/24, 1.1.1.1).
type registerServerRequest struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Subnet   string `json:"subnet"`
	DNS      string `json:"dns"`
}

// serverJSON is a registered server. PublicKey and ListenPort are null
// until its agent reported them.
type serverJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Endpoint     string    `json:"endpoint"`
	Subnet       string    `json:"subnet"`
	DNS          string    `json:"dns"`
	PublicKey    *string   `json:"public_key"`
	ListenPort   *int      `json:"listen_port"`
	RegisteredAt time.Time `json:"registered_at"`
}

// newServerJSON is a just registered server with its agent token, the
// only time the token is shown.
type newServerJSON struct {
	serverJSON
	AgentToken string `json:"agent_token"`
}

func toServerJSON(v projections.ServerView) serverJSON {
	s := serverJSON{
		ID: v.ID, Name: v.Name, Endpoint: v.Endpoint, Subnet: v.Subnet, DNS: v.DNS,
		RegisteredAt: v.RegisteredAt.UTC(),
	}
	if v.PublicKey != "" {
		k := v.PublicKey
		s.PublicKey = &k
	}
	if v.ListenPort != 0 {
		p := v.ListenPort
		s.ListenPort = &p
	}
	return s
}

// registerServer registers a VPN server and answers its agent token once.
func (h *handlers) registerServer(c *fiber.Ctx) error {
	var req registerServerRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, token, err := h.cfg.Commands.RegisterServer(c.UserContext(), actor(c), NewServer(req))
	if err != nil {
		return fmt.Errorf("register server %q: %w", req.ID, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusCreated).JSON(newServerJSON{serverJSON: toServerJSON(v), AgentToken: token})
}

// listServers answers every registered server, without tokens.
func (h *handlers) listServers(c *fiber.Ctx) error {
	views, err := h.cfg.State.Servers(c.UserContext())
	if err != nil {
		return fmt.Errorf("list servers: %w", err)
	}
	out := make([]serverJSON, 0, len(views))
	for _, v := range views {
		out = append(out, toServerJSON(v))
	}
	return c.JSON(out)
}
