// Package api is Sentrazone's HTTP API: a fiber app with JWT auth and
// roles, login rate limits, one error model, the agent report endpoint,
// CSV audit export, peer configs as text and QR code, and its OpenAPI
// document.
package api

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"
	segjson "github.com/segmentio/encoding/json"

	"github.com/sentrazone/sentrazone/domain"
)

// Server timeouts. There is no write timeout: a CSV export may stream for
// a long time.
const (
	readTimeout = 30 * time.Second
	idleTimeout = 120 * time.Second
)

// handlers holds the dependencies every route handler shares.
type handlers struct {
	cfg        Config
	log        *slog.Logger
	loginIP    *keyedLimiter
	loginEmail *keyedLimiter
	spec       []byte
	// statusCache keeps encoded statuses entries between requests.
	statusCache statusCache
	deadlines   sharedDeadlines
}

// New builds the API app from cfg. It fails when a required dependency is
// missing or the JWT secret is too short.
func New(cfg Config) (*fiber.App, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	spec, err := openAPIJSON()
	if err != nil {
		return nil, fmt.Errorf("api: build OpenAPI document: %w", err)
	}
	h := &handlers{
		cfg:        cfg,
		log:        cfg.Logger,
		loginIP:    newKeyedLimiter(cfg.LoginPerIP, cfg.LimiterKeys),
		loginEmail: newKeyedLimiter(cfg.LoginPerEmail, cfg.LimiterKeys),
		spec:       spec,
		deadlines:  sharedDeadlines{timeout: cfg.RequestTimeout},
	}
	fc := fiber.Config{
		// Immutable: strings from params, queries and headers stay valid
		// after the handler returns, so command handlers may keep them.
		Immutable:             true,
		CaseSensitive:         true,
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           readTimeout,
		IdleTimeout:           idleTimeout,
		ErrorHandler:          h.handleError,
		JSONEncoder:           segjson.Marshal,
		DisableStartupMessage: true,
	}
	if cfg.TrustProxy {
		fc.ProxyHeader = fiber.HeaderXForwardedFor
		fc.EnableIPValidation = true
		fc.EnableTrustedProxyCheck = len(cfg.TrustedProxies) > 0
		fc.TrustedProxies = cfg.TrustedProxies
	}
	app := fiber.New(fc)
	app.Use(recover.New(), h.common)
	h.routes(app)
	return app, nil
}

// routes registers every route. The OpenAPI test keeps this table and the
// spec in step.
func (h *handlers) routes(app *fiber.App) {
	user := h.authenticate(domain.RoleUser)
	admin := h.authenticate(domain.RoleAdmin)

	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)
	app.Get("/api/openapi.json", h.openAPI)

	app.Post("/api/login", h.login)
	app.Post("/api/report", h.report)
	app.Get("/api/agent/config", h.agentConfig)

	// Dashboards poll the statuses and history of whole fleets: 1.5 MB of
	// JSON for 10,000 servers, a tenth of that compressed. Answers are
	// compressed only for clients that ask (Accept-Encoding: br, gzip or
	// deflate), at the fastest level: ~4 ms (gzip) to 5 ms (brotli) per
	// 1.5 MB on one core, against a second and more to send it over a
	// 10 Mbit/s link. None of these answers holds a secret, so a
	// compression side channel (BREACH) has nothing to find; peer configs
	// (private keys) are never compressed.
	compressed := compress.New(compress.Config{Level: compress.LevelBestSpeed})
	app.Get("/api/statuses", user, compressed, h.statuses)
	app.Get("/api/history", user, compressed, h.history)

	app.Get("/api/wg-clients/:serverID", admin, h.listPeers)
	app.Post("/api/wg-clients/:serverID", admin, h.createPeer)
	app.Post("/api/wg-clients/:serverID/:clientID/:action", admin, h.peerAction)
	app.Delete("/api/wg-clients/:serverID/:clientID", admin, h.deletePeer)
	app.Get("/api/wg-clients/:serverID/:clientID/qrcode", admin, h.peerQRCode)
	app.Get("/api/wg-clients/:serverID/:clientID/config", admin, h.peerConfig)

	app.Get("/api/audit", admin, compressed, h.audit)
	app.Get("/api/audit/export", admin, h.exportAudit)

	app.Post("/api/servers", admin, h.registerServer)
	app.Get("/api/servers", admin, h.listServers)
	app.Post("/api/users", admin, h.createUser)
	app.Get("/api/users", admin, h.listUsers)
}

// common sets headers every response carries, refuses URLs no store
// could hold (invalid UTF-8, control characters such as NUL, in the
// decoded path or the query) and bounds the request's context by
// RequestTimeout (a deadline shared with the requests of the same 100 ms).
func (h *handlers) common(c *fiber.Ctx) error {
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if err := plainURL(c); err != nil {
		return err
	}
	c.SetUserContext(h.deadlines.context(c.Context().Time()))
	return c.Next()
}
