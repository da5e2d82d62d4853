// Package eventstore is Sentrazone's event log: an append-only, partitioned
// log of encoded domain events, implemented on Kafka (segmentio/kafka-go)
// with an optional embedded Kafka-protocol broker for single-node installs.
package eventstore

import (
	"context"
	"errors"
	"time"
)

// Topic names. Reports are high-volume agent metrics keyed by server id;
// events are admin and lifecycle events in one total order.
const (
	TopicReports = "sentrazone.reports"
	TopicEvents  = "sentrazone.events"
)

// Message is one record to append. Key selects the partition.
type Message struct {
	Key   []byte
	Value []byte
}

// Position is where an appended message landed.
type Position struct {
	Partition int
	Offset    int64
}

// Record is one record read back from the log.
type Record struct {
	Topic     string
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte
	Time      time.Time
}

// Batch is the result of one fetch from a partition.
type Batch struct {
	Records []Record
	// Next is the offset to fetch from next.
	Next int64
	// HighWatermark is the offset the next appended record will get.
	HighWatermark int64
	// LogStart is the first offset still held by the partition.
	LogStart int64
}

// Log is what the rest of Sentrazone needs from the event log.
type Log interface {
	// Append writes msgs to topic and returns, once the log has
	// acknowledged every one, their positions in order.
	Append(ctx context.Context, topic string, msgs ...Message) ([]Position, error)
	// Fetch reads records of one partition starting at offset, waiting up
	// to maxWait for at least one when the partition has nothing new.
	Fetch(ctx context.Context, topic string, partition int, offset int64, maxWait time.Duration) (Batch, error)
	// Bounds returns the first and next offsets (log start, high
	// watermark) of every partition of topic, indexed by partition.
	Bounds(ctx context.Context, topic string) ([]PartitionBounds, error)
	// Partitions returns the number of partitions of topic.
	Partitions(ctx context.Context, topic string) (int, error)
	// CommitOffsets stores next offsets for a consumer group.
	CommitOffsets(ctx context.Context, group, topic string, next map[int]int64) error
	// CommittedOffsets loads a group's stored next offsets; partitions
	// without one are absent from the map.
	CommittedOffsets(ctx context.Context, group, topic string) (map[int]int64, error)
	Close() error
}

// PartitionBounds are the offsets a partition currently holds: records
// [Start, End) are readable, End is the high watermark.
type PartitionBounds struct {
	Partition int
	Start     int64
	End       int64
}

// HighWatermarks returns the high watermark of every partition of topic.
func HighWatermarks(ctx context.Context, l Log, topic string) ([]int64, error) {
	b, err := l.Bounds(ctx, topic)
	if err != nil {
		return nil, err
	}
	hw := make([]int64, len(b))
	for _, p := range b {
		hw[p.Partition] = p.End
	}
	return hw, nil
}

// ErrOffsetOutOfRange reports a fetch outside the partition's bounds.
var ErrOffsetOutOfRange = errors.New("offset out of range")

// ErrClosed is returned by a closed log.
var ErrClosed = errors.New("event log closed")
