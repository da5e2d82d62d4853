package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultOfflineAfter    = 60 * time.Second
	DefaultRequestTimeout  = 30 * time.Second
	DefaultLoginPerIP      = 10 // login attempts per minute per client IP
	DefaultLoginPerEmail   = 5  // login attempts per minute per email
	DefaultLimiterKeys     = 10000
	DefaultMaxReportBatch  = 5000
	DefaultBodyLimit       = 1 << 20 // 1 MiB
	MinJWTSecretLen        = 32
	tokenLifetime          = 24 * time.Hour
	defaultExportRecordTTL = 10 * time.Second
)

// HistoryReader is the part of projections.HistoryStore the API reads.
type HistoryReader interface {
	History(ctx context.Context, q projections.HistoryQuery) ([]projections.HistoryPoint, error)
}

// Config is everything New needs. Commands, Reports, State, History,
// Health and JWTSecret are required; every other zero field gets its
// default.
type Config struct {
	Commands Commands
	Reports  Reports // agent token checks (fleet and per-server) live here
	State    projections.StateReader
	History  HistoryReader
	Health   Health

	// JWTSecret signs user tokens (HS256); at least 32 bytes.
	JWTSecret []byte
	// OfflineAfter: a server whose last report is this old is offline.
	OfflineAfter time.Duration
	// Now is the clock; time.Now by default.
	Now Clock
	// Logger gets errors and security events; discarded when nil.
	Logger *slog.Logger

	// LoginPerIP and LoginPerEmail are login attempts allowed per minute
	// (also the burst) per client IP and per email.
	LoginPerIP    int
	LoginPerEmail int
	// LimiterKeys bounds how many IPs or emails each login limiter tracks.
	LimiterKeys int

	// MaxReportBatch is the most reports one POST /api/report may carry.
	MaxReportBatch int
	// BodyLimit is the largest request body in bytes (413 above it).
	BodyLimit int
	// RequestTimeout bounds each request's context (not a CSV stream);
	// requests share deadlines per 100 ms window, so one gets between
	// RequestTimeout and RequestTimeout+100ms.
	RequestTimeout time.Duration
	// Draining, when set, is cancelled as the server starts to shut down:
	// long polls end at once instead of holding the shutdown up.
	Draining context.Context

	// TrustProxy makes the client IP come from X-Forwarded-For (first
	// valid address). Off by default: the TCP peer address is used. When
	// on, only peers in TrustedProxies (IPs or CIDRs) are believed; an
	// empty list believes every peer.
	TrustProxy     bool
	TrustedProxies []string
}

// withDefaults checks the required fields and fills the optional ones.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.Commands == nil {
		errs = append(errs, errors.New("Commands is required"))
	}
	if c.Reports == nil {
		errs = append(errs, errors.New("Reports is required"))
	}
	if c.State == nil {
		errs = append(errs, errors.New("State is required"))
	}
	if c.History == nil {
		errs = append(errs, errors.New("History is required"))
	}
	if c.Health == nil {
		errs = append(errs, errors.New("Health is required"))
	}
	if len(c.JWTSecret) < MinJWTSecretLen {
		errs = append(errs, fmt.Errorf("JWTSecret must be at least %d bytes, got %d", MinJWTSecretLen, len(c.JWTSecret)))
	}
	if c.OfflineAfter < 0 || c.RequestTimeout < 0 || c.LoginPerIP < 0 || c.LoginPerEmail < 0 ||
		c.LimiterKeys < 0 || c.MaxReportBatch < 0 || c.BodyLimit < 0 {
		errs = append(errs, errors.New("durations, rates and limits must not be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("api config: %w", err)
	}
	setDefault(&c.OfflineAfter, DefaultOfflineAfter)
	setDefault(&c.RequestTimeout, DefaultRequestTimeout)
	setDefault(&c.LoginPerIP, DefaultLoginPerIP)
	setDefault(&c.LoginPerEmail, DefaultLoginPerEmail)
	setDefault(&c.LimiterKeys, DefaultLimiterKeys)
	setDefault(&c.MaxReportBatch, DefaultMaxReportBatch)
	setDefault(&c.BodyLimit, DefaultBodyLimit)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
