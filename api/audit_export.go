package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// exportFlushRows is how many CSV rows are buffered at most before they
// are pushed to the client.
const exportFlushRows = 500

var auditCSVHeader = []string{"id", "actor", "action", "target", "ip", "created_at"}

// exportJob is everything the export stream needs; the fiber context is
// gone by the time it runs.
type exportJob struct {
	actor   Actor
	filter  projections.AuditFilter
	filters map[string]string
}

// exportAudit streams the audit log (newest first, same filters as
// /api/audit) as CSV. Everything is validated before the stream starts:
// afterwards a failure can only cut the response short, which the client
// sees as an incomplete chunked body rather than a complete-looking file.
func (h *handlers) exportAudit(c *fiber.Ctx) error {
	f, given, err := auditFilter(c)
	if err != nil {
		return err
	}
	name := "audit-" + h.cfg.Now().UTC().Format("20060102T150405Z") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Method() == fiber.MethodHead {
		return nil
	}
	pr, pw := io.Pipe()
	go h.streamAudit(pw, exportJob{actor: actor(c), filter: f, filters: given})
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// streamAudit writes the CSV into pw until the log ends, the store fails
// or the client goes away (the server then closes the pipe's reader), and
// records the export in every case with the rows written.
func (h *handlers) streamAudit(pw *io.PipeWriter, job exportJob) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cw := csv.NewWriter(pw)
	var rows int64
	err := cw.Write(auditCSVHeader)
	if err == nil {
		err = h.cfg.State.ExportAudit(ctx, job.filter, func(r projections.AuditRow) error {
			if err := cw.Write(auditRecord(r)); err != nil {
				return err
			}
			rows++
			if rows%exportFlushRows == 0 {
				cw.Flush()
				return cw.Error()
			}
			return nil
		})
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		err = fmt.Errorf("audit export: %w", err)
		h.log.Warn("audit export cut short", "actor", job.actor.Email, "rows", rows, "err", err)
	}
	_ = pw.CloseWithError(err) // nil: the client reads EOF, a complete file

	rctx, rcancel := context.WithTimeout(context.Background(), defaultExportRecordTTL)
	defer rcancel()
	if err := h.cfg.Commands.RecordAuditExport(rctx, job.actor, job.filters, rows); err != nil {
		h.log.Error("record audit export", "actor", job.actor.Email, "rows", rows, "err", err)
	}
}

// auditRecord is one CSV row, every text cell neutralised.
func auditRecord(r projections.AuditRow) []string {
	return []string{
		strconv.FormatInt(r.ID, 10),
		csvSafe(r.Actor),
		csvSafe(r.Action),
		csvSafe(r.Target),
		csvSafe(r.IP),
		r.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
}

// csvSafe defuses spreadsheet formulas: a cell starting with '=', '+',
// '-', '@', tab or carriage return gets a leading single quote.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
