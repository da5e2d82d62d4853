package main

import (
	"context"
	"fmt"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// readiness answers /readyz: the log and stores answer, and projections
// are within maxLag records of the log and not failing.
type readiness struct {
	p      *platform
	proj   *projections.Projector
	maxLag int64
}

func (r readiness) Ready(ctx context.Context) error {
	if _, err := r.p.log.Partitions(ctx, eventstore.TopicEvents); err != nil {
		return fmt.Errorf("event log unreachable: %w", err)
	}
	if _, err := r.p.state.Settings(ctx); err != nil {
		return fmt.Errorf("state store unreachable: %w", err)
	}
	if _, err := r.p.history.NextOffsets(ctx, eventstore.TopicReports); err != nil {
		return fmt.Errorf("history store unreachable: %w", err)
	}
	lag, err := r.proj.Lag(ctx)
	if err != nil {
		return err
	}
	for name, n := range lag {
		if n > r.maxLag {
			return fmt.Errorf("projection %s is %d records behind the log", name, n)
		}
	}
	return nil
}
