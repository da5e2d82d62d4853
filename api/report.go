package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"
	segjson "github.com/segmentio/encoding/json"

	"github.com/sentrazone/sentrazone/domain"
)

// report takes one report or a JSON array of them from an agent:
// authenticate, decode, validate, authorize for the servers named, then
// submit.
func (h *handlers) report(c *fiber.Ctx) error {
	token := bearerToken(c)
	if token == "" {
		return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "missing agent bearer token")
	}
	// The token first: a wrong one is a 401 before the body is read. The
	// servers it may report for are checked below.
	ctx, ip := c.UserContext(), c.IP()
	agent, err := h.cfg.Reports.Authenticate(ctx, token)
	if err != nil {
		return fmt.Errorf("report: authenticate: %w", err)
	}
	body, err := requestBody(c)
	if err != nil {
		return err
	}
	wires, err := h.decodeReports(body)
	if err != nil {
		return err
	}
	now := h.cfg.Now()
	reports := make([]domain.ServerReported, len(wires))
	for i := range wires {
		r, err := domain.ValidateReport(wires[i].Report(), now)
		if err != nil {
			return inReport(i, len(wires), err)
		}
		reports[i] = r
	}
	if err := h.cfg.Reports.Authorize(ctx, agent, ip, reports); err != nil {
		return fmt.Errorf("report: authorize: %w", err)
	}
	if err := h.cfg.Reports.Submit(ctx, reports); err != nil {
		return fmt.Errorf("report: submit %d: %w", len(reports), err)
	}
	return writeAccepted(c, len(reports))
}

// writeAccepted answers 202 with {"accepted":n}, written straight into the
// response: this is the answer to every agent report, the busiest path.
func writeAccepted(c *fiber.Ctx, n int) error {
	c.Status(http.StatusAccepted)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	var buf [32]byte
	b := append(buf[:0], `{"accepted":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	c.Response().SetBody(append(b, '}'))
	return nil
}

var serverIDKey = []byte(`"server_id"`)

// decodeReports decodes the body in one pass into an object or an array
// of objects, depending on its first byte.
func (h *handlers) decodeReports(body []byte) ([]domain.ReportWire, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		// Room for every report up front (each names one server_id;
		// the count is only a hint, bounded): growing the slice while
		// decoding would allocate about as much again.
		n := bytes.Count(trimmed, serverIDKey)
		batch := make([]domain.ReportWire, 0, min(n, h.cfg.MaxReportBatch+1))
		if err := segjson.Unmarshal(trimmed, &batch); err != nil {
			return nil, jsonError(err)
		}
		switch {
		case len(batch) == 0:
			return nil, badRequest("the report batch is empty")
		case len(batch) > h.cfg.MaxReportBatch:
			return nil, newAPIError(http.StatusRequestEntityTooLarge, CodePayloadTooLarge,
				"a batch holds at most %d reports, got %d", h.cfg.MaxReportBatch, len(batch))
		}
		return batch, nil
	}
	var one domain.ReportWire
	if err := segjson.Unmarshal(trimmed, &one); err != nil {
		return nil, jsonError(err)
	}
	return []domain.ReportWire{one}, nil
}

// inReport prefixes a validation error with the report's index in a
// batch; other errors pass through.
func inReport(i, n int, err error) error {
	de, ok := err.(*domain.Error)
	if !ok || n == 1 {
		return fmt.Errorf("report %d: %w", i, err)
	}
	return &domain.Error{Kind: de.Kind, Message: fmt.Sprintf("report %d: %s", i, de.Message)}
}
