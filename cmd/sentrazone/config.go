package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/sentrazone/sentrazone/cmd/internal/flagargs"
	"github.com/sentrazone/sentrazone/domain"
)

// envPrefix is the prefix of every setting's environment twin:
// --kafka-brokers is SENTRAZONE_KAFKA_BROKERS.
const envPrefix = "SENTRAZONE_"

// config is everything `sentrazone serve` can be told.
type config struct {
	Listen        string
	DataDir       string
	KafkaBrokers  string
	PostgresURL   string
	ClickHouseURL string
	JWTSecret     string
	MasterKey     string
	AgentToken    string
	AdminEmail    string
	AdminPassword string
	OfflineAfter  time.Duration
	ProduceLinger time.Duration
	Partitions    int
	LogLevel      string
	PprofListen   string
	ReportFormat  domain.ReportFormat
}

// newServeFlags returns the flag set of serve, bound to c.
func newServeFlags(c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	bindServe(fs, c)
	return fs
}

// bindServe declares the serve flags on fs.
func bindServe(fs *flag.FlagSet, c *config) {
	bindStores(fs, c)
	fs.StringVar(&c.Listen, "listen", ":8080", "HTTP listen address")
	fs.StringVar(&c.JWTSecret, "jwt-secret", "", "HMAC secret for user tokens, at least 32 bytes (default: generated once into the data dir)")
	fs.StringVar(&c.AgentToken, "agent-token", "", "fleet-wide agent token: may report for any server id and registers unknown servers")
	fs.StringVar(&c.AdminEmail, "admin-email", "", "email of the admin created at start when no user exists")
	fs.StringVar(&c.AdminPassword, "admin-password", "", "password of that admin")
	fs.DurationVar(&c.OfflineAfter, "offline-after", 60*time.Second, "a server is offline when its last report is older than this")
	fs.DurationVar(&c.ProduceLinger, "produce-linger", defaultProduceLinger,
		"how long an agent report may wait for others to share its produce request to Kafka, as linger.ms (0: none; admin events never wait)")
	fs.TextVar(&c.ReportFormat, "report-format", domain.ReportsBinary,
		"how agent reports are written on the log: binary, or json while replicas of a build from before 2026-12-07 (which cannot read binary reports) still run")
	fs.StringVar(&c.PprofListen, "pprof", "", "listen address of net/http/pprof for profiling, e.g. 127.0.0.1:6060 (empty: off)")
}

// bindStores declares the flags every command that opens the stores needs.
// Partitions of the reports topic when --report-partitions is 0. A Kafka
// cluster spreads partitions over brokers and consumers. The embedded
// broker is one broker that handles requests one at a time and answers
// each only once its writes are synced to disk, so extra partitions there
// only split the same write cycle (see docs/PERFORMANCE.md).
const (
	defaultKafkaPartitions    = 12
	defaultEmbeddedPartitions = 1
)

// defaultProduceLinger is Kafka's linger.ms default since 4.0. At 5,000
// reports/s from 10,000 servers it cut the embedded default's CPU per
// report by a fifth, and on an external broker the server's by 10-12%
// and the broker's by 44-45%; at 1,000/s by 46%, 20% and 60%. A
// report's median answer came 1-4 ms later (docs/PERFORMANCE.md). The
// linger is bounded at a second: reports are live status.
const (
	defaultProduceLinger = 5 * time.Millisecond
	maxProduceLinger     = time.Second
)

// reportPartitions is the partition count to create the reports topic with.
func (c *config) reportPartitions() int {
	switch {
	case c.Partitions > 0:
		return c.Partitions
	case c.KafkaBrokers == "":
		return defaultEmbeddedPartitions
	default:
		return defaultKafkaPartitions
	}
}

func bindStores(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.DataDir, "data-dir", "./sentrazone-data", "directory for the embedded broker's log, generated keys and secrets")
	fs.StringVar(&c.KafkaBrokers, "kafka-brokers", "", "comma-separated Kafka bootstrap brokers (empty: embedded broker)")
	fs.StringVar(&c.PostgresURL, "postgres-url", "", "Postgres URL for the read models (empty: in memory, rebuilt from the log)")
	fs.StringVar(&c.ClickHouseURL, "clickhouse-url", "", "ClickHouse URL for history, clickhouse://host:9000/db (empty: in memory)")
	fs.StringVar(&c.MasterKey, "master-key", "", "base64 32-byte key that wraps per-peer data keys (default: generated once into the data dir)")
	fs.IntVar(&c.Partitions, "report-partitions", 0, "partitions of the reports topic when it is created (0: 12 on Kafka, 1 on the embedded broker)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
}

// parseFlags parses args, then fills every flag not given on the command
// line from its SENTRAZONE_* environment twin. Errors name the setting.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := flagargs.None(fs); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		name := envName(f.Name)
		v := getenv(name)
		if v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("invalid %s: %w", name, err))
		}
	})
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// validate checks the settings a command depends on, naming each bad one.
func (c *config) validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("invalid --%s (%s): %s", setting, envName(setting), fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("data-dir", "must not be empty")
	}
	if strings.HasPrefix(c.DataDir, "-") {
		bad("data-dir", "%q looks like a flag, not a directory; was the value left out?", c.DataDir)
	}
	for _, b := range c.brokers() {
		if _, _, err := net.SplitHostPort(b); err != nil {
			bad("kafka-brokers", "%q is not host:port", b)
		}
	}
	if c.PostgresURL != "" {
		if u, err := url.Parse(c.PostgresURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("postgres-url", "want postgres://user@host:5432/db")
		}
	}
	if c.ClickHouseURL != "" {
		if u, err := url.Parse(c.ClickHouseURL); err != nil || u.Scheme != "clickhouse" || u.Host == "" {
			bad("clickhouse-url", "want clickhouse://host:9000/db")
		}
	}
	if c.Partitions < 0 || c.Partitions > 1000 {
		bad("report-partitions", "must be 1..1000, or 0 for the default, got %d", c.Partitions)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("log-level", "%v", err)
	}
	return errors.Join(errs...)
}

// validateServe adds the checks only serve needs.
func (c *config) validateServe() error {
	var errs []error
	if err := c.validate(); err != nil {
		errs = append(errs, err)
	}
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("invalid --%s (%s): %s", setting, envName(setting), fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not [host]:port", c.Listen)
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		bad("jwt-secret", "must be at least 32 bytes, got %d", len(c.JWTSecret))
	}
	if c.AgentToken != "" && len(c.AgentToken) < 16 {
		bad("agent-token", "must be at least 16 characters")
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		bad("admin-email", "set both --admin-email and --admin-password, or neither")
	}
	if c.PprofListen != "" {
		if _, _, err := net.SplitHostPort(c.PprofListen); err != nil {
			bad("pprof", "%q is not [host]:port", c.PprofListen)
		}
	}
	if c.OfflineAfter <= 0 {
		bad("offline-after", "must be positive, got %v", c.OfflineAfter)
	}
	if c.ProduceLinger < 0 || c.ProduceLinger > maxProduceLinger {
		bad("produce-linger", "must be 0 to %v, got %v", maxProduceLinger, c.ProduceLinger)
	}
	return errors.Join(errs...)
}

func (c *config) brokers() []string {
	var out []string
	for _, b := range strings.Split(c.KafkaBrokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}
