package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// readiness answers /readyz: the log and stores answer, and projections
// are within maxLag records of the log and not failing. /readyz is
// public, so the reasons it returns name the part that failed and no
// more; the cause (hosts, users, databases) goes to the log only.
type readiness struct {
	p      *platform
	proj   *projections.Projector
	maxLag int64
	log    *slog.Logger
}

func (r readiness) Ready(ctx context.Context) error {
	if _, err := r.p.log.Partitions(ctx, eventstore.TopicEvents); err != nil {
		return r.unready("event log unreachable", err)
	}
	if _, err := r.p.state.Settings(ctx); err != nil {
		return r.unready("state store unreachable", err)
	}
	if _, err := r.p.history.NextOffsets(ctx, eventstore.TopicReports); err != nil {
		return r.unready("history store unreachable", err)
	}
	lag, err := r.proj.Lag(ctx)
	if err != nil {
		return r.unready("projection lag unknown", err)
	}
	for name, n := range lag {
		if n > r.maxLag {
			return fmt.Errorf("projection %s is %d records behind the log", name, n)
		}
	}
	return nil
}

// unready logs the cause and returns the reason alone.
func (r readiness) unready(reason string, cause error) error {
	r.log.Warn("not ready", "reason", reason, "err", cause)
	return errors.New(reason)
}
