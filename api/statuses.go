package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// statuses answers the latest report of every registered server, an
// array of {server_id, online, ping_ms, peers, transfer_rx, transfer_tx,
// reported_at}: ping_ms is null when the last probe failed, reported_at
// when the server never reported, and online says whether the report is
// younger than OfflineAfter.
func (h *handlers) statuses(c *fiber.Ctx) error {
	views, err := h.cfg.State.Statuses(c.UserContext())
	if err != nil {
		return fmt.Errorf("statuses: %w", err)
	}
	// The stores return them sorted; sort only what a store did not.
	byID := func(a, b projections.StatusView) int { return strings.Compare(a.ServerID, b.ServerID) }
	if !slices.IsSortedFunc(views, byID) {
		slices.SortFunc(views, byID)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	// Written straight from the views into the response's own pooled
	// buffer: a 1.5 MB answer is otherwise megabytes of garbage per
	// request, and the collections it brings are the slow requests.
	resp := c.Response()
	b := slices.Grow(resp.SwapBody(nil)[:0], 160*len(views)+2)
	resp.SwapBody(h.statusCache.appendStatuses(b, views, h.cfg.Now(), h.cfg.OfflineAfter))
	return nil
}
