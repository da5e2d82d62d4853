// Command sentrazone-agent runs on every VPN server: it reports latency and
// traffic to the Sentrazone control plane and applies the peers it wants to
// the local WireGuard device. Every flag has a SENTRAZONE_AGENT_* environment
// twin; see --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sentrazone/sentrazone/agent"
)

// exitTimeout is how long shutdown may take after SIGTERM/SIGINT before the
// process exits anyway; systemd and Kubernetes expect well under 5 s.
const exitTimeout = 4500 * time.Millisecond

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stderr))
}

// run is main without the process globals, for tests. It does tune the
// Go runtime (see memory.go).
func run(args []string, getenv func(string) string, stderr io.Writer) int {
	set, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "sentrazone-agent:", err)
		return exitUsage
	}
	tuneRuntime(getenv, set.pprof != "")
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: set.level}))
	cfg := set.agent
	cfg.Logger = log
	a, err := agent.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "sentrazone-agent:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if set.pprof != "" {
		if err := startPprof(ctx, set.pprof, log); err != nil {
			fmt.Fprintln(stderr, "sentrazone-agent:", err)
			return exitFailed
		}
	}
	go releaseMemory(ctx, memoryRelease)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		log.Info("signal received, shutting down")
		select {
		case err = <-done:
		case <-time.After(exitTimeout):
			log.Error("shutdown took too long, exiting anyway")
			return exitFailed
		}
	}
	if err != nil {
		log.Error("agent failed", "error", err.Error())
		return exitFailed
	}
	return exitOK
}
