package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// TopicSpec describes a topic Sentrazone creates when it is missing.
type TopicSpec struct {
	Name       string
	Partitions int
	// Retention is how long records are kept; zero or less keeps them forever.
	Retention time.Duration
}

// DefaultTopics returns the two topics with the given reports settings.
// Zero values take the defaults: 12 partitions, 7 days.
func DefaultTopics(reportPartitions int, reportRetention time.Duration) []TopicSpec {
	if reportPartitions <= 0 {
		reportPartitions = 12
	}
	if reportRetention <= 0 {
		reportRetention = 7 * 24 * time.Hour
	}
	return []TopicSpec{
		{Name: TopicReports, Partitions: reportPartitions, Retention: reportRetention},
		{Name: TopicEvents, Partitions: 1},
	}
}

func (s TopicSpec) config() kafka.TopicConfig {
	retention := "-1"
	if s.Retention > 0 {
		retention = strconv.FormatInt(s.Retention.Milliseconds(), 10)
	}
	return kafka.TopicConfig{
		Topic:             s.Name,
		NumPartitions:     s.Partitions,
		ReplicationFactor: -1,
		ConfigEntries: []kafka.ConfigEntry{
			{ConfigName: "retention.ms", ConfigValue: retention},
			{ConfigName: "retention.bytes", ConfigValue: "-1"},
		},
	}
}

// EnsureTopics creates the topics that do not exist yet. A topic that
// already exists is left as it is.
func (l *KafkaLog) EnsureTopics(ctx context.Context, specs []TopicSpec) error {
	req := &kafka.CreateTopicsRequest{}
	for _, s := range specs {
		if s.Partitions <= 0 {
			return fmt.Errorf("ensure topics: topic %q: partitions must be positive", s.Name)
		}
		req.Topics = append(req.Topics, s.config())
	}
	return retry(ctx, l.log, "create topics", func(ctx context.Context) error {
		resp, err := l.client.CreateTopics(ctx, req)
		if err != nil {
			return err
		}
		for name, terr := range resp.Errors {
			if terr == nil || errors.Is(terr, kafka.TopicAlreadyExists) {
				continue
			}
			return permanent(fmt.Errorf("topic %s: %w", name, terr))
		}
		return nil
	})
}
