package eventstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// layoutCache remembers, for a while, each topic's partitions and their
// leader brokers, as the kafka-go writer's metadata cache did. A failed
// produce forgets the topic's entry, so a moved leader is found again.
type layoutCache struct {
	mu sync.Mutex
	m  map[string]cachedLayout
}

type cachedLayout struct {
	leaders []int // leader broker id, by partition id
	at      time.Time
}

const layoutTTL = 10 * time.Second

// layout returns the leader broker of each of topic's partitions (the
// slice's length is the partition count), from the cache when fresh.
func (l *KafkaLog) layout(ctx context.Context, topic string) ([]int, error) {
	l.layouts.mu.Lock()
	c, ok := l.layouts.m[topic]
	l.layouts.mu.Unlock()
	if ok && time.Since(c.at) < layoutTTL {
		return c.leaders, nil
	}
	leaders, err := l.readLayout(ctx, topic)
	if err != nil {
		return nil, err
	}
	l.layouts.mu.Lock()
	if l.layouts.m == nil {
		l.layouts.m = map[string]cachedLayout{}
	}
	l.layouts.m[topic] = cachedLayout{leaders: leaders, at: time.Now()}
	l.layouts.mu.Unlock()
	return leaders, nil
}

// forgetLayout drops topic's cached layout.
func (l *KafkaLog) forgetLayout(topic string) {
	l.layouts.mu.Lock()
	delete(l.layouts.m, topic)
	l.layouts.mu.Unlock()
}

// readLayout asks the brokers for topic's partitions and their leaders.
func (l *KafkaLog) readLayout(ctx context.Context, topic string) ([]int, error) {
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	var leaders []int
	err := retry(ctx, l.log, "metadata "+topic, func(ctx context.Context) error {
		md, err := l.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		if err != nil {
			return err
		}
		for _, t := range md.Topics {
			if t.Name != topic {
				continue
			}
			if t.Error != nil {
				return t.Error
			}
			leaders = make([]int, len(t.Partitions))
			for _, p := range t.Partitions {
				if p.ID < 0 || p.ID >= len(leaders) {
					return fmt.Errorf("topic %s: partition id %d among %d partitions", topic, p.ID, len(leaders))
				}
				leaders[p.ID] = p.Leader.ID
			}
			return nil
		}
		return fmt.Errorf("topic %s missing from metadata", topic)
	})
	return leaders, err
}
