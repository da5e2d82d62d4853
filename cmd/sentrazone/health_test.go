package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// brokenState is a state store whose settings query fails with a cause
// that names a host and a user.
type brokenState struct{ projections.StateStore }

func (brokenState) Settings(context.Context) (map[string]string, error) {
	return nil, errors.New(`dial tcp 10.0.0.5:5432: password authentication failed for user "sentrazone"`)
}

// /readyz is public: its reason names the failing part, the cause goes to
// the log only.
func TestReadinessKeepsCausesInTheLog(t *testing.T) {
	srv := start(t, embeddedConfig(t))
	var logs bytes.Buffer
	r := readiness{
		p:      &platform{log: srv.p.log, state: brokenState{srv.p.state}, history: srv.p.history},
		maxLag: 10000,
		log:    slog.New(slog.NewTextHandler(&logs, nil)),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := r.Ready(ctx)
	if err == nil || err.Error() != "state store unreachable" {
		t.Fatalf("Ready = %v, want exactly %q", err, "state store unreachable")
	}
	if !strings.Contains(logs.String(), "10.0.0.5:5432") {
		t.Fatalf("the cause was not logged: %s", logs.String())
	}
}
