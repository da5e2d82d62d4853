package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Earliest, as a start offset, means the first offset the partition holds.
const Earliest int64 = -1

// Cursor reads one partition in order. When its position falls outside
// what the partition holds (retention trimmed the records, or the log was
// emptied and its offsets started over after a restart) it resets to the
// earliest offset instead of waiting forever, and says so in the log.
type Cursor struct {
	log       Log
	topic     string
	partition int
	next      int64
	hw        int64
	logger    *slog.Logger
}

// NewCursor starts at offset from, or at Earliest.
func NewCursor(l Log, topic string, partition int, from int64, logger *slog.Logger) *Cursor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cursor{log: l, topic: topic, partition: partition, next: from, logger: logger}
}

// Position is the offset the next record read will have.
func (c *Cursor) Position() int64 { return c.next }

// HighWatermark is the partition's high watermark as the last fetch saw
// it: the cursor had read everything then if Position reaches it.
func (c *Cursor) HighWatermark() int64 { return c.hw }

// Next returns the next records, waiting up to maxWait for some. It
// returns an empty slice when nothing arrived in time.
func (c *Cursor) Next(ctx context.Context, maxWait time.Duration) ([]Record, error) {
	for {
		if c.next < 0 {
			if err := c.resetToEarliest(ctx, "no position yet"); err != nil {
				return nil, err
			}
		}
		b, err := c.log.Fetch(ctx, c.topic, c.partition, c.next, maxWait)
		if errors.Is(err, ErrOffsetOutOfRange) {
			if err := c.handleOutOfRange(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(b.Records) > 0 {
			c.next = b.Next
		}
		c.hw = b.HighWatermark
		return b.Records, nil
	}
}

func (c *Cursor) handleOutOfRange(ctx context.Context) error {
	bounds, err := c.log.Bounds(ctx, c.topic)
	if err != nil {
		return err
	}
	if c.partition >= len(bounds) {
		return fmt.Errorf("cursor %s/%d: partition no longer exists", c.topic, c.partition)
	}
	b := bounds[c.partition]
	if c.next >= b.Start && c.next <= b.End {
		return nil // the range moved while we asked; fetch again
	}
	c.logger.Warn("offset out of range, resetting to earliest",
		"topic", c.topic, "partition", c.partition, "offset", c.next,
		"log_start", b.Start, "high_watermark", b.End)
	c.next = b.Start
	return nil
}

func (c *Cursor) resetToEarliest(ctx context.Context, why string) error {
	bounds, err := c.log.Bounds(ctx, c.topic)
	if err != nil {
		return err
	}
	if c.partition >= len(bounds) {
		return fmt.Errorf("cursor %s/%d: no such partition", c.topic, c.partition)
	}
	c.logger.Debug("cursor starts at earliest offset", "topic", c.topic, "partition", c.partition,
		"offset", bounds[c.partition].Start, "why", why)
	c.next = bounds[c.partition].Start
	return nil
}

// MoveTo moves the cursor to offset, or to Earliest.
func (c *Cursor) MoveTo(offset int64) { c.next = offset }
