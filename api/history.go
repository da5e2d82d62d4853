package api

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// History query bounds.
const (
	historyTargetPoints = 720   // a default step gives at most this many points per series
	historyMaxPoints    = 10000 // a given step may give at most this many
	historyMinStep      = time.Second
)

// niceSteps are the default step candidates: the smallest one giving at
// most historyTargetPoints is chosen (10m for the full 72 h window).
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// historyJSON is one bucket of GET /api/history.
type historyJSON struct {
	ServerID   string    `json:"server_id"`
	PingMS     *float64  `json:"ping_ms"`
	TransferRx uint64    `json:"transfer_rx"`
	TransferTx uint64    `json:"transfer_tx"`
	RecordedAt time.Time `json:"recorded_at"`
}

// historyParams are GET /api/history's raw query parameters.
type historyParams struct {
	ServerIDs      []string
	From, To, Step string
}

// history answers bucketed history of the last 72 h.
func (h *handlers) history(c *fiber.Ctx) error {
	p := historyParams{From: c.Query("from"), To: c.Query("to"), Step: c.Query("step")}
	for _, id := range c.Context().QueryArgs().PeekMulti("server_id") {
		p.ServerIDs = append(p.ServerIDs, string(id))
	}
	q, ok, err := historyQuery(p, h.cfg.Now())
	if err != nil {
		return err
	}
	if !ok {
		return c.JSON([]historyJSON{})
	}
	points, err := h.cfg.History.History(c.UserContext(), q)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	// The stores return them sorted; sort only what a store did not.
	byKey := func(a, b projections.HistoryPoint) int {
		return cmp.Or(strings.Compare(a.ServerID, b.ServerID), a.RecordedAt.Compare(b.RecordedAt))
	}
	if !slices.IsSortedFunc(points, byKey) {
		points = slices.Clone(points)
		slices.SortStableFunc(points, byKey)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(appendHistory(make([]byte, 0, historyJSONSize(points)), points))
}

// historyJSONSize bounds the size of out in JSON, so that the buffer is
// never copied while it grows: per point the field names and punctuation
// (75 bytes), a time (20), the server id, and up to 24 bytes for the ping
// and 20 for each counter, counted as 40 in all: it is rarely more.
func historyJSONSize(out []projections.HistoryPoint) int {
	n := 2
	for i := range out {
		n += 75 + 20 + len(out[i].ServerID) + 40
	}
	return n
}

// historyQuery validates p at now: to defaults to now, from to to-72h;
// the window is clamped to the last 72 h. ok is false when nothing of it
// is left (the answer is then empty).
func historyQuery(p historyParams, now time.Time) (q projections.HistoryQuery, ok bool, err error) {
	for _, id := range p.ServerIDs {
		if err := domain.ValidateServerID(id); err != nil {
			return q, false, badRequest("server_id: %s", err.Error())
		}
		if !slices.Contains(q.ServerIDs, id) {
			q.ServerIDs = append(q.ServerIDs, id)
		}
	}
	slices.Sort(q.ServerIDs)
	q.To, err = parseTimeParam("to", p.To, now)
	if err != nil {
		return q, false, err
	}
	q.From, err = parseTimeParam("from", p.From, q.To.Add(-projections.HistoryRetention))
	if err != nil {
		return q, false, err
	}
	if !q.From.Before(q.To) {
		return q, false, badRequest("from must be before to")
	}
	var step time.Duration
	if p.Step != "" {
		if step, err = parseStep(p.Step); err != nil {
			return q, false, err
		}
	}
	q.From = maxTime(q.From, now.Add(-projections.HistoryRetention))
	q.To = minTime(q.To, now)
	if !q.From.Before(q.To) {
		return q, false, nil
	}
	span := q.To.Sub(q.From)
	if step == 0 {
		q.Step = defaultStep(span)
		return q, true, nil
	}
	if n := ceilDiv(span, step); n > historyMaxPoints {
		return q, false, badRequest("step %s gives %d points per server; at most %d are allowed: use a larger step", step, n, historyMaxPoints)
	}
	q.Step = step
	return q, true, nil
}

// parseStep parses a step: a Go duration of whole seconds, at least 1s.
func parseStep(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, badRequest("step %q is invalid: use a duration such as 30s, 5m or 1h", s)
	case d < historyMinStep:
		return 0, badRequest("step %q is too small: the minimum is %s", s, historyMinStep)
	case d%time.Second != 0:
		return 0, badRequest("step %q is invalid: use whole seconds", s)
	}
	return d, nil
}

// defaultStep is the smallest nice step giving at most
// historyTargetPoints points over span, or whole hours beyond the list.
func defaultStep(span time.Duration) time.Duration {
	for _, s := range niceSteps {
		if ceilDiv(span, s) <= historyTargetPoints {
			return s
		}
	}
	per := time.Duration(ceilDiv(span, historyTargetPoints))
	return time.Duration(ceilDiv(per, time.Hour)) * time.Hour
}

// parseTimeParam parses an RFC 3339 query parameter, def when empty. A
// space in place of '+' (an unencoded offset) is forgiven.
func parseTimeParam(name, v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t, err = time.Parse(time.RFC3339, strings.ReplaceAll(v, " ", "+"))
	}
	if err != nil {
		return time.Time{}, badRequest("%s %q is invalid: use RFC 3339, e.g. 2026-05-06T12:00:00Z", name, v)
	}
	return t.UTC(), nil
}

// ceilDiv is a/b rounded up, for positive durations.
func ceilDiv(a, b time.Duration) int64 {
	return int64((a + b - 1) / b)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
