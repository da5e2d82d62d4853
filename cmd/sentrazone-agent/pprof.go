//go:build pprof

package main

import (
	"context"
	"log/slog"

	"github.com/sentrazone/sentrazone/cmd/internal/pprofserve"
)

// pprofBuilt tells whether --pprof can serve profiles.
const pprofBuilt = true

// startPprof serves net/http/pprof on addr until ctx ends; profiling is
// off unless --pprof names an address.
//
// It is only built with -tags pprof: an HTTP server, even an idle one,
// makes the binary larger, and the agent's binary is resident (~0.55 MB
// more VmRSS for every agent, profiled or not).
func startPprof(ctx context.Context, addr string, log *slog.Logger) error {
	return pprofserve.Start(ctx, addr, log)
}
