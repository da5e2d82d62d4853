package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

// env builds a getenv from pairs.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

var required = []string{"--control-plane", "http://127.0.0.1:8080", "--server-id", "los-angeles", "--token", "tok"}

func TestParseConfigDefaults(t *testing.T) {
	set, err := parseConfig(required, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg, level := set.agent, set.level
	if cfg.ControlPlane.String() != "http://127.0.0.1:8080" || cfg.ServerID != "los-angeles" || cfg.Token != "tok" ||
		cfg.Interface != "wg0" || cfg.ListenPort != 51820 || cfg.Interval != 10*time.Second ||
		cfg.StateDir != "/var/lib/sentrazone-agent" || cfg.Userspace || cfg.Exclusive || level.String() != "INFO" || set.pprof != "" {
		t.Fatalf("cfg = %+v, level %v, pprof %q", cfg, level, set.pprof)
	}
}

func TestParseConfigEnvTwinsAndFlagWins(t *testing.T) {
	set, err := parseConfig([]string{"--interval", "3s"}, env(
		"SENTRAZONE_AGENT_CONTROL_PLANE", "https://cp.example.com/base",
		"SENTRAZONE_AGENT_SERVER_ID", "ny-1",
		"SENTRAZONE_AGENT_TOKEN", "secret",
		"SENTRAZONE_AGENT_INTERFACE", "wg7",
		"SENTRAZONE_AGENT_LISTEN_PORT", "51000",
		"SENTRAZONE_AGENT_INTERVAL", "30s",
		"SENTRAZONE_AGENT_PING_TARGET", "192.0.2.1",
		"SENTRAZONE_AGENT_USERSPACE", "true",
		"SENTRAZONE_AGENT_PRIVATE_KEY_FILE", "/etc/wg.key",
		"SENTRAZONE_AGENT_EXCLUSIVE", "1",
		"SENTRAZONE_AGENT_STATE_DIR", "/tmp/state",
		"SENTRAZONE_AGENT_LOG_LEVEL", "debug",
	), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg, level := set.agent, set.level
	if cfg.ControlPlane.Host != "cp.example.com" || cfg.ServerID != "ny-1" || cfg.Token != "secret" || cfg.Interface != "wg7" ||
		cfg.ListenPort != 51000 || cfg.Interval != 3*time.Second || cfg.PingTarget != "192.0.2.1" || !cfg.Userspace ||
		cfg.PrivateKeyFile != "/etc/wg.key" || !cfg.Exclusive || cfg.StateDir != "/tmp/state" || level.String() != "DEBUG" {
		t.Fatalf("cfg = %+v, level %v", cfg, level)
	}
}

// TestParseConfigPprof: --pprof is accepted only by a binary built with
// -tags pprof.
func TestParseConfigPprof(t *testing.T) {
	set, err := parseConfig(required, env("SENTRAZONE_AGENT_PPROF", "127.0.0.1:6060"), io.Discard)
	switch {
	case pprofBuilt && (err != nil || set.pprof != "127.0.0.1:6060"):
		t.Fatalf("pprof %q, %v", set.pprof, err)
	case !pprofBuilt && (err == nil || !strings.Contains(err.Error(), "-tags pprof") || !strings.Contains(err.Error(), "SENTRAZONE_AGENT_PPROF")):
		t.Fatalf("without -tags pprof: %v", err)
	}
}

func TestParseConfigErrorsNameTheFlag(t *testing.T) {
	with := func(extra ...string) []string { return append(append([]string(nil), required...), extra...) }
	tests := []struct {
		args   []string
		getenv func(string) string
		want   []string
	}{
		{nil, env(), []string{"--control-plane", "--server-id", "--token", "SENTRAZONE_AGENT_TOKEN"}},
		{with("--control-plane", "ftp://x"), env(), []string{"--control-plane"}},
		{with("--control-plane", "127.0.0.1:8080"), env(), []string{"--control-plane"}},
		{with("--server-id", "Los_Angeles"), env(), []string{"--server-id"}},
		{with("--server-id", "-la"), env(), []string{"--server-id"}},
		{with("--interval", "500ms"), env(), []string{"--interval"}},
		{with("--interval", "soon"), env(), []string{"-interval"}},
		{with("--listen-port", "70000"), env(), []string{"--listen-port"}},
		{with("--interface", "a-very-long-interface"), env(), []string{"--interface"}},
		{with("--log-level", "loud"), env(), []string{"--log-level"}},
		{with("--ping-target", "http://x/"), env(), []string{"--ping-target"}},
		{with("--state-dir", ""), env(), []string{"--state-dir"}},
		{with("--pprof", "6060"), env(), []string{"--pprof", "SENTRAZONE_AGENT_PPROF"}},
		{required, env("SENTRAZONE_AGENT_INTERVAL", "soon"), []string{"--interval", "SENTRAZONE_AGENT_INTERVAL"}},
		{required, env("SENTRAZONE_AGENT_USERSPACE", "maybe"), []string{"--userspace", "SENTRAZONE_AGENT_USERSPACE"}},
		{with("--bogus"), env(), []string{"bogus"}},
		{with("extra"), env(), []string{"unexpected argument"}},
	}
	for _, tt := range tests {
		_, err := parseConfig(tt.args, tt.getenv, io.Discard)
		if err == nil {
			t.Errorf("%v: no error", tt.args)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not name %s", tt.args, err, w)
			}
		}
	}
}

// A flag given without its value pushes the next flag's value into the
// positional arguments; the error must not repeat it.
func TestParseConfigDoesNotEchoStrayArguments(t *testing.T) {
	const secret = "agent-token-agent-token"
	args := []string{"--control-plane", "http://127.0.0.1:8080", "--server-id", "la", "--state-dir", "--token", secret}
	_, err := parseConfig(args, env(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unexpected argument") {
		t.Fatalf("err = %v, want an unexpected-argument error", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error repeats the stray value: %v", err)
	}
}

func TestRunExitsWithUsageErrorAtOnce(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"--server-id", "la"}, env(), &stderr); code != exitUsage {
		t.Fatalf("exit code %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "--control-plane") {
		t.Fatalf("stderr = %q", stderr.String())
	}
	if code := run([]string{"-h"}, env(), io.Discard); code != exitOK {
		t.Fatalf("-h exit code %d", code)
	}
}
