package api

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// Audit paging bounds.
const (
	auditDefaultLimit = 50
	auditMaxLimit     = 1000
)

// auditJSON is one row of GET /api/audit.
type auditJSON struct {
	ID        int64     `json:"id"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
}

// audit answers a page of the audit log, newest first.
func (h *handlers) audit(c *fiber.Ctx) error {
	f, _, err := auditFilter(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", auditDefaultLimit, 1, auditMaxLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(c, "offset", 0, 0, maxOffset)
	if err != nil {
		return err
	}
	rows, err := h.cfg.State.Audit(c.UserContext(), f, limit, offset)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	out := make([]auditJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, auditJSON{
			ID: r.ID, Actor: r.Actor, Action: r.Action, Target: r.Target,
			IP: r.IP, CreatedAt: r.CreatedAt.UTC(),
		})
	}
	return c.JSON(out)
}

// maxOffset keeps offsets within what every store's integer type holds.
const maxOffset = 1<<31 - 1

// auditFilter reads the actor, action, from and to filters; the map holds
// the ones given, for the export's audit record.
func auditFilter(c *fiber.Ctx) (projections.AuditFilter, map[string]string, error) {
	f := projections.AuditFilter{Actor: c.Query("actor"), Action: c.Query("action")}
	given := map[string]string{}
	for k, v := range map[string]string{"actor": f.Actor, "action": f.Action, "from": c.Query("from"), "to": c.Query("to")} {
		if v != "" {
			given[k] = v
		}
	}
	var err error
	if f.From, err = parseTimeParam("from", c.Query("from"), time.Time{}); err != nil {
		return f, nil, err
	}
	if f.To, err = parseTimeParam("to", c.Query("to"), time.Time{}); err != nil {
		return f, nil, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, nil, badRequest("from must be before to")
	}
	return f, given, nil
}

// intParam parses an integer query parameter within [lo, hi], def when
// absent.
func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s %q is invalid: use an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
