package eventstore

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func appendN(t *testing.T, l Log, topic, key string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := l.Append(ctxT(t), topic, Message{Key: []byte(key), Value: []byte(fmt.Sprintf("%s-%d", key, i))}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRestartKeepsEventsAndCommittedOffsets(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	ctx := ctxT(t)
	for s := range 5 {
		appendN(t, b.log, TopicReports, fmt.Sprintf("srv-%d", s), 0, 20)
	}
	appendN(t, b.log, TopicEvents, "agg", 0, 30)
	before := readAll(t, b.log, TopicReports)
	beforeEvents := readAll(t, b.log, TopicEvents)
	commits := map[int]int64{0: 7}
	if err := b.log.CommitOffsets(ctx, "projector", TopicEvents, commits); err != nil {
		t.Fatal(err)
	}
	reportCommits := map[int]int64{}
	for p, recs := range before {
		if len(recs) > 0 {
			reportCommits[p] = recs[len(recs)/2].Offset
		}
	}
	if err := b.log.CommitOffsets(ctx, "history", TopicReports, reportCommits); err != nil {
		t.Fatal(err)
	}

	b.restart() // the same KafkaLog keeps its pooled connections

	after := readAll(t, b.log, TopicReports)
	assertSameRecords(t, before, after)
	assertSameRecords(t, beforeEvents, readAll(t, b.log, TopicEvents))
	got, err := b.log.CommittedOffsets(ctx, "projector", TopicEvents)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 7 {
		t.Fatalf("events offset after restart = %v, want 7", got)
	}
	gotReports, err := b.log.CommittedOffsets(ctx, "history", TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	for p, off := range reportCommits {
		if gotReports[p] != off {
			t.Fatalf("reports partition %d offset after restart = %d, want %d", p, gotReports[p], off)
		}
	}
	// Appends continue at the old high watermark.
	pos, err := b.log.Append(ctx, TopicEvents, Message{Key: []byte("agg"), Value: []byte("after")})
	if err != nil {
		t.Fatal(err)
	}
	if pos[0].Offset != 30 {
		t.Fatalf("first append after restart at offset %d, want 30", pos[0].Offset)
	}
}

func assertSameRecords(t *testing.T, want, got [][]Record) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d partitions, want %d", len(got), len(want))
	}
	for p := range want {
		if len(want[p]) != len(got[p]) {
			t.Fatalf("partition %d: %d records, want %d", p, len(got[p]), len(want[p]))
		}
		for i := range want[p] {
			w, g := want[p][i], got[p][i]
			if w.Offset != g.Offset || !bytes.Equal(w.Key, g.Key) || !bytes.Equal(w.Value, g.Value) {
				t.Fatalf("partition %d record %d: got %d %q=%q, want %d %q=%q", p, i, g.Offset, g.Key, g.Value, w.Offset, w.Key, w.Value)
			}
		}
	}
}

// collector is a Handler that records what it saw and signals progress.
type collector struct {
	mu   sync.Mutex
	seen []string
}

func (c *collector) handle(_ context.Context, recs []Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range recs {
		c.seen = append(c.seen, string(r.Value))
	}
	return nil
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func (c *collector) values() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

// runConsumer runs a consumer until it has seen want records, then stops it.
func runConsumer(t *testing.T, l Log, group, topic string, want int) *collector {
	t.Helper()
	col := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Consumer{Log: l, Group: group, Topic: topic, Handler: col.handle, MaxWait: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, 20*time.Second, func() bool { return col.count() >= want }, func() string {
		return fmt.Sprintf("consumer saw %d records, want %d", col.count(), want)
	})
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("consumer did not stop within 10s of cancel")
	}
	return col
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool, msg func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(msg())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConsumerResumesFromStoredOffsetAcrossRestart(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	appendN(t, b.log, TopicEvents, "agg", 0, 10)
	first := runConsumer(t, b.log, "audit", TopicEvents, 10)
	if got := first.values(); got[0] != "agg-0" || got[9] != "agg-9" {
		t.Fatalf("first run saw %v", got)
	}

	b.restart()
	appendN(t, b.log, TopicEvents, "agg", 10, 5)
	second := runConsumer(t, b.log, "audit", TopicEvents, 5)
	got := second.values()
	if len(got) != 5 || got[0] != "agg-10" || got[4] != "agg-14" {
		t.Fatalf("resumed consumer saw %v, want agg-10..agg-14 only", got)
	}
}
