package main

import (
	"context"
	"log/slog"

	"github.com/sentrazone/sentrazone/cmd/internal/pprofserve"
)

// startPprof serves net/http/pprof on addr until ctx ends; profiling is
// off unless --pprof names an address.
func startPprof(ctx context.Context, addr string, logger *slog.Logger) error {
	return pprofserve.Start(ctx, addr, logger)
}
