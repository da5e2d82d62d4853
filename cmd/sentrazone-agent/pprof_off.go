//go:build !pprof

package main

import (
	"context"
	"errors"
	"log/slog"
)

// pprofBuilt tells whether --pprof can serve profiles; see pprof.go.
const pprofBuilt = false

func startPprof(context.Context, string, *slog.Logger) error {
	return errors.New("pprof: this binary was built without -tags pprof")
}
