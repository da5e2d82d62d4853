package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
)

// plainURL answers 400 when the decoded path or a query parameter holds
// invalid UTF-8 or a control character: Postgres refuses both in text,
// and no route takes them.
func plainURL(c *fiber.Ctx) error {
	if !domain.PlainText(c.Path()) {
		return badRequest("the URL path holds invalid UTF-8 or a control character")
	}
	var bad string
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if bad == "" && (!domain.PlainText(string(k)) || !domain.PlainText(string(v))) {
			bad = domain.CleanText(string(k), 64)
		}
	})
	if bad != "" {
		return badRequest("query parameter %q holds invalid UTF-8 or a control character", bad)
	}
	return nil
}
