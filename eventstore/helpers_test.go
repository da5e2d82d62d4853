package eventstore

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// broker is an embedded broker plus a log on it, restartable in place.
type broker struct {
	t    testing.TB
	dir  string
	port int
	emb  *Embedded
	log  *KafkaLog
}

func startBroker(t testing.TB) *broker {
	t.Helper()
	b := &broker{t: t, dir: t.TempDir()}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *broker) start() {
	b.t.Helper()
	emb, err := StartEmbedded(b.dir, b.port, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	b.emb = emb
	if b.port == 0 {
		var port int
		if _, err := fmt.Sscanf(emb.Addr(), "127.0.0.1:%d", &port); err != nil {
			b.t.Fatalf("parse addr %q: %v", emb.Addr(), err)
		}
		b.port = port
	}
	if b.log == nil {
		l, err := NewKafkaLog(Config{Brokers: []string{emb.Addr()}})
		if err != nil {
			b.t.Fatal(err)
		}
		b.log = l
	}
}

// restart stops the broker and starts it on the same data dir and port,
// keeping the same KafkaLog (and its pooled connections) in use.
func (b *broker) restart() {
	b.t.Helper()
	b.emb.Close()
	b.emb = nil
	b.start()
}

func (b *broker) stop() {
	if b.log != nil {
		_ = b.log.Close()
	}
	if b.emb != nil {
		b.emb.Close()
	}
}

func (b *broker) ensure(specs ...TopicSpec) {
	b.t.Helper()
	if len(specs) == 0 {
		specs = DefaultTopics(0, 0)
	}
	if err := b.log.EnsureTopics(ctxT(b.t), specs); err != nil {
		b.t.Fatal(err)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// readAll reads every record of every partition up to the high watermarks.
func readAll(t *testing.T, l Log, topic string) [][]Record {
	t.Helper()
	ctx := ctxT(t)
	bounds, err := l.Bounds(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]Record, len(bounds))
	for _, pb := range bounds {
		off := pb.Start
		for off < pb.End {
			batch, err := l.Fetch(ctx, topic, pb.Partition, off, time.Second)
			if err != nil {
				t.Fatalf("fetch %s/%d@%d: %v", topic, pb.Partition, off, err)
			}
			out[pb.Partition] = append(out[pb.Partition], batch.Records...)
			off = batch.Next
		}
	}
	return out
}
