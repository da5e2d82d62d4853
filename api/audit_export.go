package api

import (
	"context"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/projections"
)

// exportFlushBytes is how much CSV is buffered at most before it is
// pushed to the client.
const exportFlushBytes = 32 << 10

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
	buf := appendCSVRecord(make([]byte, 0, exportFlushBytes+4096), auditCSVHeader...)
	var rows int64
	err := h.cfg.State.ExportAudit(ctx, job.filter, func(r projections.AuditRow) error {
		buf = appendAuditRow(buf, r)
		rows++
		if len(buf) < exportFlushBytes {
			return nil
		}
		_, err := pw.Write(buf)
		buf = buf[:0]
		return err
	})
	if err == nil {
		_, err = pw.Write(buf)
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
