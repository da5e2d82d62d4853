package api

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// statusJSON is one entry of GET /api/statuses. PingMS is null when the
// last probe failed, ReportedAt when the server never reported.
type statusJSON struct {
	ServerID   string     `json:"server_id"`
	Online     bool       `json:"online"`
	PingMS     *float64   `json:"ping_ms"`
	Peers      int        `json:"peers"`
	TransferRx uint64     `json:"transfer_rx"`
	TransferTx uint64     `json:"transfer_tx"`
	ReportedAt *time.Time `json:"reported_at"`
}

// statuses answers the latest report of every registered server.
func (h *handlers) statuses(c *fiber.Ctx) error {
	views, err := h.cfg.State.Statuses(c.UserContext())
	if err != nil {
		return fmt.Errorf("statuses: %w", err)
	}
	now := h.cfg.Now()
	out := make([]statusJSON, 0, len(views))
	// The times and pings the entries point at, in two allocations
	// rather than two per server.
	vals := make([]statusValues, len(views))
	for i, v := range views {
		out = append(out, toStatusJSON(v, now, h.cfg.OfflineAfter, &vals[i]))
	}
	// The stores return them sorted; sort only what a store did not.
	byID := func(a, b statusJSON) int { return strings.Compare(a.ServerID, b.ServerID) }
	if !slices.IsSortedFunc(out, byID) {
		slices.SortFunc(out, byID)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	// Written into the response's own pooled buffer: a 1.5 MB answer per
	// request is otherwise 1.5 MB of garbage per request.
	resp := c.Response()
	b := resp.SwapBody(nil)[:0]
	resp.SwapBody(appendStatuses(slices.Grow(b, 160*len(out)+2), out))
	return nil
}

// statusValues holds what a statusJSON points at.
type statusValues struct {
	at   time.Time
	ping float64
}

// toStatusJSON derives online from the report's age: younger than
// offlineAfter at now.
func toStatusJSON(v projections.StatusView, now time.Time, offlineAfter time.Duration, vals *statusValues) statusJSON {
	s := statusJSON{
		ServerID:   v.ServerID,
		Peers:      v.Peers,
		TransferRx: v.TransferRx,
		TransferTx: v.TransferTx,
	}
	if !v.Reported {
		return s
	}
	vals.at = v.ReportedAt.UTC()
	s.ReportedAt = &vals.at
	s.Online = now.Sub(vals.at) < offlineAfter
	if v.PingOK {
		vals.ping = v.PingMS
		s.PingMS = &vals.ping
	}
	return s
}
