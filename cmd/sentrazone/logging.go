package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("unknown level %q (want debug, info, warn or error)", s)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	lv, _ := parseLevel(level) // validated with the config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv}))
}
