package eventstore

import (
	"fmt"
	"testing"

	"github.com/segmentio/kafka-go"
)

// Keys must land where kafka-go's Hash balancer put them before group
// commit, or a server's reports would change partition on upgrade and
// lose their order.
func TestAppendPlacesKeysWhereKafkaHashBalancerDoes(t *testing.T) {
	b := startBroker(t)
	const topic, partitions, keys = "placed", 12, 600
	b.ensure(TopicSpec{Name: topic, Partitions: partitions})
	all := make([]int, partitions)
	for i := range all {
		all[i] = i
	}
	hash := &kafka.Hash{}
	wantPart := map[string]int{}
	var msgs []Message
	for i := range keys {
		k := fmt.Sprintf("server-%d-%x", i, i*7919)
		wantPart[k] = hash.Balance(kafka.Message{Key: []byte(k)}, all...)
		msgs = append(msgs, Message{Key: []byte(k), Value: []byte(k)})
	}
	pos, err := b.log.Append(ctxT(t), topic, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	hit := map[int]bool{}
	for i, m := range msgs {
		if want := wantPart[string(m.Key)]; pos[i].Partition != want {
			t.Fatalf("key %q appended to partition %d, kafka.Hash picks %d", m.Key, pos[i].Partition, want)
		}
		hit[pos[i].Partition] = true
	}
	if len(hit) != partitions {
		t.Fatalf("keys reached %d of %d partitions: too few to test placement", len(hit), partitions)
	}
	// The records really are there, not only reported there.
	n := 0
	for p, recs := range readAll(t, b.log, topic) {
		for _, r := range recs {
			if want := wantPart[string(r.Key)]; p != want {
				t.Fatalf("key %q stored in partition %d, kafka.Hash picks %d", r.Key, p, want)
			}
			n++
		}
	}
	if n != keys {
		t.Fatalf("read back %d records, appended %d", n, keys)
	}
}
