package eventstore

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// configSourceDynamicTopic is Kafka's DYNAMIC_TOPIC_CONFIG: a value set on
// the topic itself rather than a broker default.
const configSourceDynamicTopic = 1

// The broker's own defaults are retention.ms = 7 days and retention.bytes
// = -1, the reports values, so the source is checked as well as the value:
// a topic created without configs would show the same numbers.
func TestEnsureTopicsSetsRetentionThatSurvivesRestart(t *testing.T) {
	b := startBroker(t)
	specs := append(DefaultTopics(0, 0), TopicSpec{Name: "hourly", Partitions: 1, Retention: 90 * time.Minute})
	b.ensure(specs...)
	want := map[string]string{
		TopicReports: "604800000", // 7 days
		TopicEvents:  "-1",        // forever
		"hourly":     "5400000",
	}
	assertRetention(t, b.emb.Addr(), want)
	b.restart()
	assertRetention(t, b.emb.Addr(), want)
}

// assertRetention reads the topics' configs from the broker through a
// client of its own, whose connections no restart has broken.
func assertRetention(t *testing.T, addr string, want map[string]string) {
	t.Helper()
	transport := &kafka.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(addr), Transport: transport, Timeout: 10 * time.Second}
	req := &kafka.DescribeConfigsRequest{}
	for topic := range want {
		req.Resources = append(req.Resources, kafka.DescribeConfigRequestResource{
			ResourceType: kafka.ResourceTypeTopic,
			ResourceName: topic,
			ConfigNames:  []string{"retention.ms", "retention.bytes"},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := client.DescribeConfigs(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range resp.Resources {
		if r.Error != nil {
			t.Fatalf("describe %s: %v", r.ResourceName, r.Error)
		}
		got := map[string]kafka.DescribeConfigResponseConfigEntry{}
		for _, e := range r.ConfigEntries {
			got[e.ConfigName] = e
		}
		for name, value := range map[string]string{"retention.ms": want[r.ResourceName], "retention.bytes": "-1"} {
			e, ok := got[name]
			if !ok {
				t.Fatalf("%s: no %s in %+v", r.ResourceName, name, r.ConfigEntries)
			}
			if e.ConfigValue != value || e.ConfigSource != configSourceDynamicTopic {
				t.Errorf("%s: %s = %q (source %d), want %q set on the topic (source %d)",
					r.ResourceName, name, e.ConfigValue, e.ConfigSource, value, configSourceDynamicTopic)
			}
		}
		seen[r.ResourceName] = true
	}
	for topic := range want {
		if !seen[topic] {
			t.Errorf("%s: missing from the DescribeConfigs answer", topic)
		}
	}
}
