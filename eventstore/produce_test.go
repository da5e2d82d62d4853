package eventstore

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// An append that spans every partition of a topic led by one broker goes
// out as one produce request carrying all of them, not one per partition;
// each partition's records keep the append's order.
func TestAppendSendsOneProduceRequestPerLeader(t *testing.T) {
	b := startBroker(t)
	const topic, partitions, keys = "grouped", 12, 600
	b.ensure(TopicSpec{Name: topic, Partitions: partitions})
	var (
		mu       sync.Mutex
		requests []int // partitions of topic in each produce request
	)
	b.emb.cluster.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		n := 0
		for _, tp := range req.(*kmsg.ProduceRequest).Topics {
			if tp.Topic == topic {
				n += len(tp.Partitions)
			}
		}
		mu.Lock()
		requests = append(requests, n)
		mu.Unlock()
		return nil, nil, false // observed only: the broker handles it
	})
	msgs := make([]Message, keys)
	for i := range msgs {
		msgs[i] = Message{Key: fmt.Appendf(nil, "server-%d", i), Value: fmt.Appendf(nil, "report-%d", i)}
	}
	pos, err := b.log.Append(ctxT(t), topic, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := slices.Clone(requests)
	mu.Unlock()
	if !slices.Equal(got, []int{partitions}) {
		t.Fatalf("produce requests carried %v partitions each, want one request with %d", got, partitions)
	}
	next := map[int]int64{}
	for i, p := range pos {
		if p.Offset != next[p.Partition] {
			t.Fatalf("message %d at %d/%d, want offset %d", i, p.Partition, p.Offset, next[p.Partition])
		}
		next[p.Partition]++
	}
	stored := readAll(t, b.log, topic)
	for i, p := range pos {
		if r := stored[p.Partition][p.Offset]; string(r.Value) != string(msgs[i].Value) {
			t.Fatalf("%d/%d holds %q, want %q", p.Partition, p.Offset, r.Value, msgs[i].Value)
		}
	}
}

// A record batch over the broker's max.message.bytes fails at once with
// the broker's error, and appends queued beside it are written.
func TestTooLargeAppendFailsAlone(t *testing.T) {
	b := startBroker(t)
	b.ensure(TopicSpec{Name: "sized", Partitions: 1})
	big := Message{Key: []byte("k"), Value: make([]byte, 2<<20)}
	for i := range big.Value {
		big.Value[i] = byte(i * 7919 >> 3) // not compressible to under the limit
	}
	var wg sync.WaitGroup
	var bigErr error
	wg.Go(func() { _, bigErr = b.log.Append(ctxT(t), "sized", big) })
	for i := range 20 {
		wg.Go(func() {
			if _, err := b.log.Append(ctxT(t), "sized", Message{Key: []byte("k"), Value: fmt.Appendf(nil, "small-%d", i)}); err != nil {
				t.Errorf("small append %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if bigErr == nil {
		t.Fatal("a 2 MiB record was accepted")
	}
	t.Logf("large append: %v", bigErr)
	if n := len(readAll(t, b.log, "sized")[0]); n != 20 {
		t.Fatalf("%d records stored, want the 20 small ones", n)
	}
}
