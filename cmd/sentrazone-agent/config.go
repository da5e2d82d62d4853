package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/sentrazone/sentrazone/agent"
	"github.com/sentrazone/sentrazone/cmd/internal/flagargs"
	"github.com/sentrazone/sentrazone/domain"
)

// envPrefix is the prefix of every flag's environment twin:
// --control-plane is SENTRAZONE_AGENT_CONTROL_PLANE.
const envPrefix = "SENTRAZONE_AGENT_"

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
	pprof          string
}

// settings are the validated options: the agent's config and what the
// command itself uses.
type settings struct {
	agent agent.Config
	level slog.Level
	// pprof is the listen address of the profiles; empty means off.
	pprof string
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
	fs.StringVar(&o.pprof, "pprof", "", "listen address of /debug/pprof/ for profiling, e.g. 127.0.0.1:6060 (empty: off; needs a binary built with -tags pprof)")
}

// parseConfig reads flags from args, then fills every flag not given there
// from its environment twin (the flag wins), and validates the result.
// Every error names the flag and its variable.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (settings, error) {
	fs := flag.NewFlagSet("sentrazone-agent", flag.ContinueOnError)
	fs.SetOutput(usage)
	var o options
	bind(fs, &o)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of sentrazone-agent:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nEvery flag has an environment twin, e.g. --control-plane is %s; the flag wins.\n"+
			"GOGC defaults to %d here (see Go's runtime docs; GOGC=25 or more suits a busy userspace device).\n",
			envName("control-plane"), defaultGOGC)
	}
	if err := fs.Parse(args); err != nil {
		return settings{}, err
	}
	if err := flagargs.None(fs); err != nil {
		return settings{}, err
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
		return settings{}, err
	}
	return o.validate()
}

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// validate checks every setting and converts them to an agent.Config.
func (o *options) validate() (settings, error) {
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
	case domain.ValidateServerID(o.serverID) != nil: // what the control plane accepts
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
	if o.pprof != "" {
		if _, _, err := net.SplitHostPort(o.pprof); err != nil {
			bad("pprof", "%q is not [host]:port", o.pprof)
		} else if !pprofBuilt {
			bad("pprof", "this binary was built without profiling; build it with -tags pprof")
		}
	}
	if err := errors.Join(errs...); err != nil {
		return settings{}, err
	}
	return settings{level: level, pprof: o.pprof, agent: agent.Config{
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
	}}, nil
}
