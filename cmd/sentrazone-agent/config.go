package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sentrazone/sentrazone/agent"
)

// envPrefix is the prefix of every flag's environment twin:
// --control-plane is SENTRAZONE_AGENT_CONTROL_PLANE.
const envPrefix = "SENTRAZONE_AGENT_"

// serverIDPattern is what the control plane accepts as a server id.
var serverIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// logLevels are the accepted --log-level values.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// options are the raw settings before validation.
type options struct {
	controlPlane   string
	serverID       string
	token          string
	iface          string
	listenPort     int
	interval       time.Duration
	pingTarget     string
	userspace      bool
	privateKeyFile string
	exclusive      bool
	stateDir       string
	logLevel       string
}

func bind(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.controlPlane, "control-plane", "", "control plane base URL, http(s)://host[:port] (required)")
	fs.StringVar(&o.serverID, "server-id", "", "this server's id, e.g. los-angeles (required)")
	fs.StringVar(&o.token, "token", "", "agent token (required; prefer the environment variable)")
	fs.StringVar(&o.iface, "interface", agent.DefaultInterface, "WireGuard interface")
	fs.IntVar(&o.listenPort, "listen-port", agent.DefaultListenPort, "WireGuard UDP listen port")
	fs.DurationVar(&o.interval, "interval", agent.DefaultInterval, "time between two reports (at least 1s)")
	fs.StringVar(&o.pingTarget, "ping-target", "", "host[:port] whose round trip is ping_ms (default: the control plane's host)")
	fs.BoolVar(&o.userspace, "userspace", false, "run wireguard-go in the agent instead of using a kernel device")
	fs.StringVar(&o.privateKeyFile, "private-key-file", "", "interface private key, created (0600) when absent (default: keep the device's key; <state-dir>/<interface>.key with --userspace)")
	fs.BoolVar(&o.exclusive, "exclusive", false, "remove peers Sentrazone does not manage")
	fs.StringVar(&o.stateDir, "state-dir", agent.DefaultStateDir, "directory for the agent's state")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
}

// parseConfig reads flags from args, then fills every flag not given there
// from its environment twin (the flag wins), and validates the result.
// Every error names the flag and its variable.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (agent.Config, slog.Level, error) {
	fs := flag.NewFlagSet("sentrazone-agent", flag.ContinueOnError)
	fs.SetOutput(usage)
	var o options
	bind(fs, &o)
	if err := fs.Parse(args); err != nil {
		return agent.Config{}, 0, err
	}
	if fs.NArg() > 0 {
		return agent.Config{}, 0, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && !given[f.Name] {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("invalid --%s (%s): %w", f.Name, envName(f.Name), err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return agent.Config{}, 0, err
	}
	return o.validate()
}

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// validate checks every setting and converts them to an agent.Config.
func (o *options) validate() (agent.Config, slog.Level, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("invalid --%s (%s): %s", name, envName(name), fmt.Sprintf(format, args...)))
	}
	missing := func(name string) {
		errs = append(errs, fmt.Errorf("missing --%s (%s): it is required", name, envName(name)))
	}
	var cp *url.URL
	switch u, err := url.Parse(o.controlPlane); {
	case o.controlPlane == "":
		missing("control-plane")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil:
		bad("control-plane", "want http(s)://host[:port][/path], got %q", o.controlPlane)
	default:
		cp = u
	}
	switch {
	case o.serverID == "":
		missing("server-id")
	case !serverIDPattern.MatchString(o.serverID):
		bad("server-id", "%q must be 1-63 lowercase letters, digits or '-', starting with a letter or digit", o.serverID)
	}
	if o.token == "" {
		missing("token")
	}
	if len(o.iface) == 0 || len(o.iface) > 15 || strings.ContainsAny(o.iface, "/ \t\n:") {
		bad("interface", "%q is not an interface name (1-15 characters, no '/', ':' or spaces)", o.iface)
	}
	if o.listenPort < 1 || o.listenPort > 65535 {
		bad("listen-port", "must be 1..65535, got %d", o.listenPort)
	}
	if o.interval < time.Second {
		bad("interval", "must be at least 1s, got %v", o.interval)
	}
	if t := o.pingTarget; t != "" && (strings.Contains(t, "/") || strings.ContainsAny(t, " \t")) {
		bad("ping-target", "want a host or host:port, got %q", t)
	} else if h, p, err := net.SplitHostPort(t); err == nil && (h == "" || p == "") {
		bad("ping-target", "want a host or host:port, got %q", t)
	}
	if o.stateDir == "" {
		bad("state-dir", "must not be empty")
	}
	level, ok := logLevels[strings.ToLower(o.logLevel)]
	if !ok {
		bad("log-level", "want debug, info, warn or error, got %q", o.logLevel)
	}
	if err := errors.Join(errs...); err != nil {
		return agent.Config{}, 0, err
	}
	return agent.Config{
		ControlPlane:   cp,
		ServerID:       o.serverID,
		Token:          o.token,
		Interface:      o.iface,
		ListenPort:     o.listenPort,
		Interval:       o.interval,
		PingTarget:     o.pingTarget,
		Userspace:      o.userspace,
		PrivateKeyFile: o.privateKeyFile,
		Exclusive:      o.exclusive,
		StateDir:       o.stateDir,
	}, level, nil
}
