package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// peerJSON is a peer with its latest statistics (list entries and the
// answer to enable/disable).
type peerJSON struct {
	ID                string     `json:"id"`
	Name              string     `json:"name"`
	Enabled           bool       `json:"enabled"`
	Address           string     `json:"address"`
	PublicKey         string     `json:"publicKey"`
	LatestHandshakeAt *time.Time `json:"latestHandshakeAt"`
	TransferRx        uint64     `json:"transferRx"`
	TransferTx        uint64     `json:"transferTx"`
}

// newPeerJSON is the answer to creating a peer.
type newPeerJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Enabled   bool   `json:"enabled"`
	Address   string `json:"address"`
	PublicKey string `json:"publicKey"`
}

// createPeerRequest is the body of POST /api/wg-clients/{serverID}.
type createPeerRequest struct {
	Name string `json:"name"`
}

func toPeerJSON(v projections.PeerView) peerJSON {
	p := peerJSON{
		ID: v.Peer.ClientID, Name: v.Peer.Name, Enabled: v.Peer.Enabled,
		Address: addrString(v.Peer), PublicKey: v.Peer.PublicKey,
		TransferRx: v.TransferRx, TransferTx: v.TransferTx,
	}
	if v.LatestHandshakeAt != nil && !v.LatestHandshakeAt.IsZero() {
		t := v.LatestHandshakeAt.UTC()
		p.LatestHandshakeAt = &t
	}
	return p
}

func addrString(p domain.Peer) string {
	if !p.Address.IsValid() {
		return ""
	}
	return p.Address.String()
}

// serverParam returns the :serverID path parameter; an id that breaks the
// server id rule cannot exist, so it is a 404.
func serverParam(c *fiber.Ctx) (string, error) {
	id := c.Params("serverID")
	if domain.ValidateServerID(id) != nil {
		return "", notFound("server %q not found", id)
	}
	return id, nil
}

// listPeers answers a server's peers with their statistics.
func (h *handlers) listPeers(c *fiber.Ctx) error {
	id, err := serverParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, ok, err := h.cfg.State.ServerView(ctx, id); err != nil {
		return fmt.Errorf("list peers of %q: %w", id, err)
	} else if !ok {
		return notFound("server %q not found", id)
	}
	views, err := h.cfg.State.Peers(ctx, id)
	if err != nil {
		return fmt.Errorf("list peers of %q: %w", id, err)
	}
	out := make([]peerJSON, 0, len(views))
	for _, v := range views {
		out = append(out, toPeerJSON(v))
	}
	return c.JSON(out)
}

// createPeer adds a peer; the server allocates its address and keys.
func (h *handlers) createPeer(c *fiber.Ctx) error {
	id, err := serverParam(c)
	if err != nil {
		return err
	}
	var req createPeerRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := h.cfg.Commands.CreatePeer(c.UserContext(), actor(c), id, req.Name)
	if err != nil {
		return fmt.Errorf("create peer on %q: %w", id, err)
	}
	return c.Status(http.StatusCreated).JSON(newPeerJSON{
		ID: v.Peer.ClientID, Name: v.Peer.Name, Enabled: v.Peer.Enabled,
		Address: addrString(v.Peer), PublicKey: v.Peer.PublicKey,
	})
}

// peerAction enables or disables a peer.
func (h *handlers) peerAction(c *fiber.Ctx) error {
	var enable bool
	switch action := c.Params("action"); action {
	case "enable":
		enable = true
	case "disable":
	default:
		return badRequest("action %q is invalid: use \"enable\" or \"disable\"", action)
	}
	id, err := serverParam(c)
	if err != nil {
		return err
	}
	clientID := c.Params("clientID")
	v, err := h.cfg.Commands.SetPeerEnabled(c.UserContext(), actor(c), id, clientID, enable)
	if err != nil {
		return fmt.Errorf("set peer %q on %q enabled=%t: %w", clientID, id, enable, err)
	}
	return c.JSON(toPeerJSON(v))
}

// deletePeer removes a peer (and shreds its keys).
func (h *handlers) deletePeer(c *fiber.Ctx) error {
	id, err := serverParam(c)
	if err != nil {
		return err
	}
	clientID := c.Params("clientID")
	if err := h.cfg.Commands.DeletePeer(c.UserContext(), actor(c), id, clientID); err != nil {
		return fmt.Errorf("delete peer %q on %q: %w", clientID, id, err)
	}
	return c.SendStatus(http.StatusNoContent)
}
