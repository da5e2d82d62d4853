package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/agent/agenttest"
)

// TestMain lets the test binary stand in for the load generator when
// agent-rss re-executes itself inside its namespaces.
func TestMain(m *testing.M) {
	if os.Getenv(agentRSSChildEnv) != "" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// goBuild builds pkg into dir and returns the binary's path.
func goBuild(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// memLine matches one process's figures at the end of a run.
var memLine = regexp.MustCompile(`(?m)^  at 4s, (agent|wireguard-go): VmRSS ([0-9.]+) MiB`)

func TestAgentRSSMeasuresTheAgentWithEitherDevice(t *testing.T) {
	if err := agenttest.Requirements(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("agent-rss needs root and /dev/net/tun in CI: %v", err)
		}
		t.Skipf("agent-rss needs root and /dev/net/tun: %v", err)
	}
	dir := t.TempDir()
	agentBin := goBuild(t, dir, "github.com/sentrazone/sentrazone/cmd/sentrazone-agent")
	wgGo := goBuild(t, dir, "golang.zx2c4.com/wireguard")

	cases := []struct {
		name  string
		extra []string
		procs []string
	}{
		{"in the agent", nil, []string{"agent"}},
		{"in wireguard-go", []string{"--wireguard-go", wgGo}, []string{"agent", "wireguard-go"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			args := append([]string{"agent-rss", "--agent", agentBin, "--peers", "20", "--interval", "1s", "--duration", "4s"}, tc.extra...)
			if code := run(ctx, args, &out, &errOut); code != 0 {
				t.Fatalf("agent-rss exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
			}
			var procs []string
			for _, m := range memLine.FindAllStringSubmatch(out.String(), -1) {
				procs = append(procs, m[1])
				if v, err := strconv.ParseFloat(m[2], 64); err != nil || v < 1 {
					t.Errorf("%s's VmRSS %q MiB is not a plausible figure", m[1], m[2])
				}
			}
			if len(procs) != len(tc.procs) || procs[0] != tc.procs[0] || procs[len(procs)-1] != tc.procs[len(tc.procs)-1] {
				t.Fatalf("figures for %q, want %q\n%s", procs, tc.procs, out.String())
			}
			if !regexp.MustCompile(`(?m)^  reads of untouched memory on this kernel: (not )?resident `).MatchString(out.String()) {
				t.Fatalf("no answer of the read-fault probe:\n%s", out.String())
			}
			if !regexp.MustCompile(`(?m)^    [1-9][0-9]* reports, 20 peers in the last$`).MatchString(out.String()) {
				t.Fatalf("the agent did not report its 20 peers:\n%s", out.String())
			}
		})
	}
}
