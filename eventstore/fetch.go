package eventstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
)

const (
	// fetchMaxBytes bounds a fetch at about one record batch as brokers
	// size them by default (max.message.bytes, 1 MiB; a larger batch
	// still comes back whole, alone). Larger fetches made boot slower:
	// with 8 MiB, ~160,000 compressed binary reports came back at once,
	// to be copied, decoded and held together (docs/PERFORMANCE.md).
	fetchMaxBytes = 1 << 20
	// maxPrealloc bounds the records a fetch makes room for at once.
	maxPrealloc = 1 << 15
)

// Fetch reads one batch of records of a partition from offset on. An
// offset outside the partition's bounds fails with ErrOffsetOutOfRange.
func (l *KafkaLog) Fetch(ctx context.Context, topic string, partition int, offset int64, maxWait time.Duration) (Batch, error) {
	if l.closed.Load() {
		return Batch{}, ErrClosed
	}
	ctx, cancel := withDefaultDeadline(ctx, maxWait+l.callTimeout)
	defer cancel()
	var out Batch
	err := retry(ctx, l.log, "fetch "+topic, func(ctx context.Context) error {
		resp, err := l.client.Fetch(ctx, &kafka.FetchRequest{
			Topic:     topic,
			Partition: partition,
			Offset:    offset,
			MinBytes:  1,
			MaxBytes:  fetchMaxBytes,
			MaxWait:   maxWait,
		})
		if err != nil {
			return err
		}
		if resp.Error != nil {
			if errors.Is(resp.Error, kafka.OffsetOutOfRange) {
				return permanent(fmt.Errorf("partition %d offset %d: %w", partition, offset, ErrOffsetOutOfRange))
			}
			return resp.Error
		}
		out, err = readBatch(resp, offset)
		return err
	})
	return out, err
}

func readBatch(resp *kafka.FetchResponse, offset int64) (Batch, error) {
	b := Batch{Next: offset, HighWatermark: resp.HighWatermark, LogStart: resp.LogStartOffset}
	if resp.Records == nil {
		return b, nil
	}
	// At most the records up to the high watermark come back: room for
	// them up front, bounded, saves growing a slice of large records.
	if n := resp.HighWatermark - offset; n > 0 {
		b.Records = make([]Record, 0, min(n, maxPrealloc))
	}
	for {
		rec, err := resp.Records.ReadRecord()
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return Batch{}, fmt.Errorf("read record: %w", err)
		}
		if rec.Offset < offset {
			release(rec) // batches may start before the requested offset
			continue
		}
		r := Record{Topic: resp.Topic, Partition: resp.Partition, Offset: rec.Offset, Time: rec.Time}
		r.Key, r.Value, err = recordBytes(rec)
		release(rec)
		if err != nil {
			return Batch{}, err
		}
		b.Records = append(b.Records, r)
		b.Next = rec.Offset + 1
	}
}

// release gives a record's key and value back to kafka-go: they hold
// references to its pooled pages, which otherwise are garbage for the
// collector and new allocations for the next fetch.
func release(rec *kafka.Record) {
	for _, b := range []kafka.Bytes{rec.Key, rec.Value} {
		if b != nil {
			_ = b.Close()
		}
	}
}

// recordBytes copies a record's key and value out of kafka-go's pages,
// both into one allocation (a key is a few bytes; nothing keeps it
// without its value). A nil key or value stays nil.
func recordBytes(rec *kafka.Record) (key, value []byte, err error) {
	kn, vn := bytesLen(rec.Key), bytesLen(rec.Value)
	buf := make([]byte, kn+vn)
	if rec.Key != nil {
		key = buf[:kn:kn]
		if _, err := io.ReadFull(rec.Key, key); err != nil {
			return nil, nil, fmt.Errorf("read record key: %w", err)
		}
	}
	if rec.Value != nil {
		value = buf[kn:]
		if _, err := io.ReadFull(rec.Value, value); err != nil {
			return nil, nil, fmt.Errorf("read record value: %w", err)
		}
	}
	return key, value, nil
}

func bytesLen(b kafka.Bytes) int {
	if b == nil {
		return 0
	}
	return b.Len()
}

// Partitions returns the number of partitions of topic.
func (l *KafkaLog) Partitions(ctx context.Context, topic string) (int, error) {
	leaders, err := l.readLayout(ctx, topic)
	return len(leaders), err
}

// Bounds returns each partition's log start and high watermark.
func (l *KafkaLog) Bounds(ctx context.Context, topic string) ([]PartitionBounds, error) {
	n, err := l.Partitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	out := make([]PartitionBounds, n)
	for p := range out {
		out[p].Partition = p
	}
	// One request per end: brokers may refuse a partition named twice.
	for _, first := range []bool{true, false} {
		reqs := make([]kafka.OffsetRequest, n)
		for p := range n {
			reqs[p] = kafka.OffsetRequest{Partition: p, Timestamp: kafka.LastOffset}
			if first {
				reqs[p].Timestamp = kafka.FirstOffset
			}
		}
		err = retry(ctx, l.log, "list offsets "+topic, func(ctx context.Context) error {
			resp, err := l.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
			if err != nil {
				return err
			}
			parts := resp.Topics[topic]
			if len(parts) != n {
				return fmt.Errorf("got %d partitions, want %d", len(parts), n)
			}
			for _, p := range parts {
				if p.Error != nil {
					return p.Error
				}
				if first {
					out[p.Partition].Start = p.FirstOffset
				} else {
					out[p.Partition].End = p.LastOffset
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
