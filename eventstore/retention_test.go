package eventstore

import (
	"fmt"
	"testing"
	"time"
)

// trimTo applies retention until partition 0 of topic starts at start or
// later. Records age past a 1ms retention only as the clock moves, so it
// polls instead of sleeping a guessed time.
func trimTo(t *testing.T, b *broker, topic string, start int64) {
	t.Helper()
	ctx := ctxT(t)
	var got PartitionBounds
	waitFor(t, 10*time.Second, func() bool {
		b.emb.ApplyRetention()
		bounds, err := b.log.Bounds(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		got = bounds[0]
		return got.Start >= start
	}, func() string {
		return fmt.Sprintf("%s bounds %+v after retention, want start %d", topic, got, start)
	})
}

// Retention can empty a partition. After a restart the embedded broker
// reloads an empty partition with its offsets back at 0, so a stored
// offset lies past the high watermark and every fetch answers "offset out
// of range". A consumer must reset to the earliest offset and go on, not
// wait forever for offsets that will never come back.
func TestConsumerResetsAfterRetentionEmptiedPartitionAndRestart(t *testing.T) {
	b := startBroker(t)
	const topic = "short-lived"
	b.ensure(TopicSpec{Name: topic, Partitions: 1, Retention: time.Millisecond})
	appendN(t, b.log, topic, "k", 0, 10)
	runConsumer(t, b.log, "history", topic, 10) // commits offset 10

	trimTo(t, b, topic, 10) // the partition is empty
	b.restart()

	bounds, err := b.log.Bounds(ctxT(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	if bounds[0].End >= 10 {
		t.Fatalf("bounds after restart %+v: the trap this test covers did not occur", bounds[0])
	}
	appendN(t, b.log, topic, "k", 10, 3)
	got := runConsumer(t, b.log, "history", topic, 3).values()
	want := []string{"k-10", "k-11", "k-12"}
	if len(got) != len(want) {
		t.Fatalf("after reset saw %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after reset saw %v, want %v", got, want)
		}
	}
}

// Without a restart, retention moves the log start past a stored offset:
// the consumer skips to the earliest offset still held.
func TestCursorSkipsToLogStartAfterRetention(t *testing.T) {
	b := startBroker(t)
	const topic = "trimmed"
	b.ensure(TopicSpec{Name: topic, Partitions: 1, Retention: time.Millisecond})
	appendN(t, b.log, topic, "k", 0, 5)
	trimTo(t, b, topic, 5)
	appendN(t, b.log, topic, "k", 5, 2)

	cur := NewCursor(b.log, topic, 0, 2, nil)
	recs, err := cur.Next(ctxT(t), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || recs[0].Offset != 5 || string(recs[0].Value) != "k-5" {
		t.Fatalf("cursor from trimmed offset 2 read %+v, want offset 5 first", recs)
	}
	if cur.Position() != 7 {
		t.Fatalf("cursor position %d, want 7", cur.Position())
	}
}

// The cursor tells the high watermark its last fetch saw, so a reader
// knows whether it had read everything then.
func TestCursorReportsTheHighWatermarkOfItsLastFetch(t *testing.T) {
	b := startBroker(t)
	const topic = "watermark"
	b.ensure(TopicSpec{Name: topic, Partitions: 1})
	appendN(t, b.log, topic, "k", 0, 5)

	cur := NewCursor(b.log, topic, 0, 0, nil)
	if _, err := cur.Next(ctxT(t), time.Second); err != nil {
		t.Fatal(err)
	}
	if cur.Position() != 5 || cur.HighWatermark() != 5 {
		t.Fatalf("after reading 5 records: position %d, high watermark %d, want 5 and 5", cur.Position(), cur.HighWatermark())
	}
	appendN(t, b.log, topic, "k", 5, 3)
	if cur.HighWatermark() != 5 {
		t.Fatalf("high watermark %d before the next fetch, want the last fetch's 5", cur.HighWatermark())
	}
	cur.MoveTo(2)
	if _, err := cur.Next(ctxT(t), time.Second); err != nil {
		t.Fatal(err)
	}
	if cur.HighWatermark() != 8 {
		t.Fatalf("high watermark %d after a fetch from 2, want 8", cur.HighWatermark())
	}
}
