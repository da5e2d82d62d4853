package api

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// peerConfig answers a peer's wg-quick file as a download.
func (h *handlers) peerConfig(c *fiber.Ctx) error {
	text, serverID, name, err := h.peerConfigText(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s.conf"`, safeFilename(serverID), safeFilename(name)))
	return c.SendString(text)
}

// peerQRCode answers a peer's wg-quick file as an SVG QR code.
func (h *handlers) peerQRCode(c *fiber.Ctx) error {
	text, _, _, err := h.peerConfigText(c)
	if err != nil {
		return err
	}
	svg, err := qrSVG(text)
	if err != nil {
		return fmt.Errorf("peer QR code: %w", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(svg)
}

// peerConfigText loads the server, the peer and its secrets and renders
// the peer's wg-quick file. A server whose agent has not reported its
// public key yet is a 409: its config could not connect.
func (h *handlers) peerConfigText(c *fiber.Ctx) (text, serverID, peerName string, err error) {
	serverID, err = serverParam(c)
	if err != nil {
		return "", "", "", err
	}
	clientID := c.Params("clientID")
	ctx := c.UserContext()
	srv, ok, err := h.cfg.State.ServerView(ctx, serverID)
	if err != nil {
		return "", "", "", fmt.Errorf("peer config: load server %q: %w", serverID, err)
	}
	if !ok {
		return "", "", "", notFound("server %q not found", serverID)
	}
	peer, ok, err := h.cfg.State.Peer(ctx, serverID, clientID)
	if err != nil {
		return "", "", "", fmt.Errorf("peer config: load peer %q on %q: %w", clientID, serverID, err)
	}
	if !ok {
		return "", "", "", notFound("peer %q not found on server %q", clientID, serverID)
	}
	if srv.PublicKey == "" {
		return "", "", "", newAPIError(http.StatusConflict, CodeConflict,
			"server %s has not reported its WireGuard public key yet; start its agent and try again", serverID)
	}
	priv, psk, err := h.cfg.Commands.PeerSecrets(ctx, serverID, clientID)
	if err != nil {
		return "", "", "", fmt.Errorf("peer config: open secrets of %q on %q: %w", clientID, serverID, err)
	}
	cfg := wgQuickConfig{
		PrivateKey:      priv,
		Address:         addrString(peer.Peer),
		DNS:             srv.DNS,
		ServerPublicKey: srv.PublicKey,
		PresharedKey:    psk,
		Endpoint:        srv.Endpoint,
	}
	return cfg.Render(), serverID, peer.Peer.Name, nil
}

// safeFilename keeps letters, digits, '.', '_' and '-' (all a server id or
// peer name may hold) and replaces anything else with '_'.
func safeFilename(s string) string {
	b := []byte(s)
	for i, ch := range b {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_' || ch == '-'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
