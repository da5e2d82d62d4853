package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Handler applies a batch of records of one partition, in order.
type Handler func(ctx context.Context, recs []Record) error

// Consumer runs a consumer group over every partition of a topic: fetch,
// apply, then commit the next offset to the log. It resumes from the
// group's stored offsets; partitions without one start at the earliest
// offset. Delivery is at least once: a batch whose commit was lost is
// applied again.
type Consumer struct {
	Log     Log
	Group   string
	Topic   string
	Handler Handler
	// MaxWait is how long one fetch waits for new records; zero means 500ms.
	MaxWait time.Duration
	Logger  *slog.Logger
}

// Run consumes until ctx is done; it returns nil then.
func (c *Consumer) Run(ctx context.Context) error {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 500 * time.Millisecond
	}
	stored, err := c.Log.CommittedOffsets(ctx, c.Group, c.Topic)
	if err != nil {
		return fmt.Errorf("consumer %s: %w", c.Group, err)
	}
	n, err := c.Log.Partitions(ctx, c.Topic)
	if err != nil {
		return fmt.Errorf("consumer %s: %w", c.Group, err)
	}
	var wg sync.WaitGroup
	for p := range n {
		from, ok := stored[p]
		if !ok {
			from = Earliest
		}
		wg.Go(func() { c.runPartition(ctx, NewCursor(c.Log, c.Topic, p, from, c.Logger)) })
	}
	wg.Wait()
	return nil
}

func (c *Consumer) runPartition(ctx context.Context, cur *Cursor) {
	b := Backoff{Min: 50 * time.Millisecond, Max: 5 * time.Second}
	var recs []Record
	for ctx.Err() == nil {
		if recs == nil {
			var err error
			if recs, err = cur.Next(ctx, c.MaxWait); err != nil {
				c.failed(ctx, &b, "fetch", cur, err)
				continue
			}
			if len(recs) == 0 {
				recs = nil
				continue
			}
		}
		if err := c.Handler(ctx, recs); err != nil {
			c.failed(ctx, &b, "apply", cur, err)
			continue // the same batch again
		}
		next := recs[len(recs)-1].Offset + 1
		recs = nil
		b.Reset()
		if err := c.Log.CommitOffsets(ctx, c.Group, c.Topic, map[int]int64{cur.partition: next}); err != nil && ctx.Err() == nil {
			c.Logger.Warn("commit offsets failed; the batch may be applied again",
				"group", c.Group, "topic", c.Topic, "partition", cur.partition, "err", err)
		}
	}
}

func (c *Consumer) failed(ctx context.Context, b *Backoff, what string, cur *Cursor, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	c.Logger.Warn("consumer "+what+" failed, retrying", "group", c.Group, "topic", c.Topic,
		"partition", cur.partition, "offset", cur.Position(), "err", err)
	_ = b.Wait(ctx)
}
