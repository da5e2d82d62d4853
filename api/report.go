package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
)

// wireReport is one agent report as sent on the wire. Unknown fields are
// ignored so that newer agents can talk to older control planes.
type wireReport struct {
	ServerID string `json:"server_id"`
	// PingMS null (or absent) means the latency probe failed.
	PingMS         *float64       `json:"ping_ms"`
	Peers          int            `json:"peers"`
	TransferRx     uint64         `json:"transfer_rx"`
	TransferTx     uint64         `json:"transfer_tx"`
	ReportedAt     time.Time      `json:"reported_at"`
	Interface      *wireInterface `json:"interface"`
	PeerStats      []wirePeerStat `json:"peer_stats"`
	AppliedVersion int64          `json:"applied_version"`
}

type wireInterface struct {
	PublicKey  string `json:"public_key"`
	ListenPort int    `json:"listen_port"`
}

type wirePeerStat struct {
	PublicKey         string    `json:"public_key"`
	Endpoint          string    `json:"endpoint"`
	LatestHandshakeAt time.Time `json:"latest_handshake_at"`
	TransferRx        uint64    `json:"transfer_rx"`
	TransferTx        uint64    `json:"transfer_tx"`
}

// acceptedResponse answers an accepted report batch.
type acceptedResponse struct {
	Accepted int `json:"accepted"`
}

// report takes one report or a JSON array of them from an agent:
// bearer token present, decode, validate, authorize, then submit.
func (h *handlers) report(c *fiber.Ctx) error {
	token := bearerToken(c)
	if token == "" {
		return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "missing agent bearer token")
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
		r, err := domain.ValidateReport(wires[i].toDomain(), now)
		if err != nil {
			return inReport(i, len(wires), err)
		}
		reports[i] = r
	}
	ctx := c.UserContext()
	if err := h.cfg.Reports.Authorize(ctx, token, c.IP(), reports); err != nil {
		return fmt.Errorf("report: authorize: %w", err)
	}
	if err := h.cfg.Reports.Submit(ctx, reports); err != nil {
		return fmt.Errorf("report: submit %d: %w", len(reports), err)
	}
	return c.Status(http.StatusAccepted).JSON(acceptedResponse{Accepted: len(reports)})
}

// decodeReports decodes the body in one pass into an object or an array
// of objects, depending on its first byte.
func (h *handlers) decodeReports(body []byte) ([]wireReport, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []wireReport
		if err := json.Unmarshal(trimmed, &batch); err != nil {
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
	var one wireReport
	if err := json.Unmarshal(trimmed, &one); err != nil {
		return nil, jsonError(err)
	}
	return []wireReport{one}, nil
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

// toDomain converts a wire report; ValidateReport checks it afterwards.
func (w *wireReport) toDomain() domain.ServerReported {
	r := domain.ServerReported{
		ServerID:       w.ServerID,
		Peers:          w.Peers,
		TransferRx:     w.TransferRx,
		TransferTx:     w.TransferTx,
		ReportedAt:     w.ReportedAt,
		AppliedVersion: w.AppliedVersion,
	}
	if w.PingMS != nil {
		r.PingMS, r.PingOK = *w.PingMS, true
	}
	if w.Interface != nil {
		r.Interface = &domain.InterfaceInfo{PublicKey: w.Interface.PublicKey, ListenPort: w.Interface.ListenPort}
	}
	if len(w.PeerStats) > 0 {
		r.PeerStats = make([]domain.PeerStat, len(w.PeerStats))
		for i, p := range w.PeerStats {
			r.PeerStats[i] = domain.PeerStat(p)
		}
	}
	return r
}
