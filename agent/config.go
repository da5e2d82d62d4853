package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"time"
)

// Defaults of the optional Config fields.
const (
	DefaultInterface  = "wg0"
	DefaultListenPort = 51820
	DefaultInterval   = 10 * time.Second
	DefaultStateDir   = "/var/lib/sentrazone-agent"
	DefaultBatchSize  = 500
	DefaultBackoffMin = 500 * time.Millisecond
	DefaultBackoffMax = 30 * time.Second
	// DefaultPollTimeout bounds one long-poll request; the control plane
	// holds it for up to ~30 s.
	DefaultPollTimeout = 40 * time.Second
	// DefaultReportTimeout bounds one report POST.
	DefaultReportTimeout = 15 * time.Second
	// DefaultShutdownFlush is how long the last flush may take at shutdown.
	DefaultShutdownFlush = 3 * time.Second
	// queueSpan is how much reporting the queue holds by default.
	queueSpan = time.Hour
)

// Config is everything the agent needs. cmd/sentrazone-agent fills it from
// flags and environment; tests fill it directly.
type Config struct {
	// ControlPlane is the control plane's base URL (http or https).
	ControlPlane *url.URL
	ServerID     string
	// Token is the agent token, sent as a Bearer token. Never logged.
	Token      string
	Interface  string
	ListenPort int
	// Interval is the time between two reports.
	Interval time.Duration
	// PingTarget is the host (or host:port) whose round trip goes into
	// ping_ms; empty means the control plane's host. The port, if any, is
	// used for the TCP fallback, else the control plane's port.
	PingTarget string
	// Userspace runs wireguard-go in the agent instead of using a kernel
	// device.
	Userspace bool
	// PrivateKeyFile holds the interface private key, created (0600) with a
	// new key when absent. Empty: keep the device's key; in userspace mode
	// it then defaults to <StateDir>/<Interface>.key.
	PrivateKeyFile string
	// Exclusive removes peers Sentrazone does not manage.
	Exclusive bool
	// StateDir keeps the managed peer set across restarts.
	StateDir string

	// SkipLinkSetup leaves a userspace interface down and without address;
	// for tests that run outside a network namespace.
	SkipLinkSetup bool
	// QueueCapacity is the report buffer's size; 0 means one hour of
	// reports.
	QueueCapacity int
	// BatchSize is the most reports one POST carries; 0 means 500.
	BatchSize int
	// BackoffMin and BackoffMax bound retry waits, each jittered into
	// [d/2, d]; after a rejected token the wait is BackoffMax, jittered
	// too. 0 means 500 ms and 30 s.
	BackoffMin, BackoffMax time.Duration
	// PollTimeout bounds one long-poll; 0 means 40 s.
	PollTimeout time.Duration
	// ShutdownFlush bounds the last flush at shutdown; 0 means 3 s.
	ShutdownFlush time.Duration
	// HTTPClient sends requests; nil means a new client. Timeouts are set
	// per request.
	HTTPClient *http.Client
	// OpenDevice opens device access; nil means wgctrl, or with Userspace
	// the agent's own device, in process.
	OpenDevice func() (Device, error)
	Logger     *slog.Logger
}

// ErrConfig marks an invalid Config.
var ErrConfig = errors.New("invalid agent config")

// withDefaults validates c and returns a copy with defaults filled in.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.ControlPlane == nil || (c.ControlPlane.Scheme != "http" && c.ControlPlane.Scheme != "https") || c.ControlPlane.Host == "":
		return bad("control plane must be an http(s) URL")
	case c.ServerID == "":
		return bad("server id is empty")
	case c.Token == "":
		return bad("token is empty")
	case c.Interval < 0 || c.ListenPort < 0 || c.ListenPort > 65535:
		return bad("interval or listen port out of range")
	}
	if c.Interface == "" {
		c.Interface = DefaultInterface
	}
	if c.ListenPort == 0 {
		c.ListenPort = DefaultListenPort
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	if c.Userspace && c.PrivateKeyFile == "" {
		c.PrivateKeyFile = filepath.Join(c.StateDir, c.Interface+".key")
	}
	if c.QueueCapacity <= 0 {
		c.QueueCapacity = max(1, int((queueSpan+c.Interval-1)/c.Interval))
	}
	c.BatchSize = orDefault(c.BatchSize, DefaultBatchSize)
	c.BackoffMin = orDefault(c.BackoffMin, DefaultBackoffMin)
	c.BackoffMax = max(orDefault(c.BackoffMax, DefaultBackoffMax), c.BackoffMin)
	c.PollTimeout = orDefault(c.PollTimeout, DefaultPollTimeout)
	c.ShutdownFlush = orDefault(c.ShutdownFlush, DefaultShutdownFlush)
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.OpenDevice == nil && !c.Userspace {
		c.OpenDevice = OpenWgctrl
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
