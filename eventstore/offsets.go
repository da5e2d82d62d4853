package eventstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// CommitOffsets stores next offsets for group as a standalone consumer
// (no group membership). It always runs under a deadline, so it cannot
// hang on a broker that went away.
func (l *KafkaLog) CommitOffsets(ctx context.Context, group, topic string, next map[int]int64) error {
	if len(next) == 0 {
		return nil
	}
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	commits := make([]kafka.OffsetCommit, 0, len(next))
	for p, off := range next {
		commits = append(commits, kafka.OffsetCommit{Partition: p, Offset: off})
	}
	return retry(ctx, l.log, "commit offsets of "+group, func(ctx context.Context) error {
		resp, err := l.client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{
			GroupID:      group,
			GenerationID: -1,
			Topics:       map[string][]kafka.OffsetCommit{topic: commits},
		})
		if err != nil {
			return err
		}
		for _, p := range resp.Topics[topic] {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
			}
		}
		return nil
	})
}

// CommittedOffsets loads the next offsets stored for group.
func (l *KafkaLog) CommittedOffsets(ctx context.Context, group, topic string) (map[int]int64, error) {
	n, err := l.Partitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	parts := make([]int, n)
	for i := range parts {
		parts[i] = i
	}
	out := make(map[int]int64, n)
	err = retry(ctx, l.log, "fetch offsets of "+group, func(ctx context.Context) error {
		resp, err := l.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
		if err != nil {
			return err
		}
		if errors.Is(resp.Error, kafka.GroupIdNotFound) {
			return nil // a group that never committed: nothing stored
		}
		if resp.Error != nil {
			return resp.Error
		}
		for _, p := range resp.Topics[topic] {
			if p.Error != nil {
				return fmt.Errorf("partition %d: %w", p.Partition, p.Error)
			}
			if p.CommittedOffset >= 0 {
				out[p.Partition] = p.CommittedOffset
			}
		}
		return nil
	})
	return out, err
}
