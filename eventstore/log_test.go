package eventstore

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

func TestEnsureTopicsCreatesAndAcceptsExisting(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	b.ensure() // "already exists" is fine
	ctx := ctxT(t)
	for topic, want := range map[string]int{TopicReports: 12, TopicEvents: 1} {
		n, err := b.log.Partitions(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d partitions, want %d", topic, n, want)
		}
	}
}

func TestAppendConcurrentKeepsPerKeyOrderAndLosesNothing(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	const writers, perWriter = 32, 40
	type written struct {
		pos   Position
		value string
	}
	results := make([][]written, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			key := fmt.Sprintf("server-%02d", w)
			for i := range perWriter {
				v := fmt.Sprintf("%s#%03d", key, i)
				pos, err := b.log.Append(ctxT(t), TopicReports, Message{Key: []byte(key), Value: []byte(v)})
				if err != nil {
					errs <- err
					return
				}
				results[w] = append(results[w], written{pos[0], v})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	parts := readAll(t, b.log, TopicReports)
	byPos := map[Position][]byte{}
	seen := map[string][]string{}
	total := 0
	for _, recs := range parts {
		for _, r := range recs {
			byPos[Position{r.Partition, r.Offset}] = r.Value
			seen[string(r.Key)] = append(seen[string(r.Key)], string(r.Value))
			total++
		}
	}
	if total != writers*perWriter {
		t.Fatalf("read %d records, wrote %d", total, writers*perWriter)
	}
	for w := range writers {
		key := fmt.Sprintf("server-%02d", w)
		got := seen[key]
		if len(got) != perWriter {
			t.Fatalf("%s: %d records, want %d", key, len(got), perWriter)
		}
		for i, v := range got {
			if want := fmt.Sprintf("%s#%03d", key, i); v != want {
				t.Fatalf("%s: record %d is %q, want %q (order broken)", key, i, v, want)
			}
		}
		// The returned positions point at exactly what was written.
		for _, wr := range results[w] {
			if !bytes.Equal(byPos[wr.pos], []byte(wr.value)) {
				t.Fatalf("position %+v holds %q, Append said %q", wr.pos, byPos[wr.pos], wr.value)
			}
		}
	}
}

func TestAppendBatchReturnsPositionsInOrder(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	var msgs []Message
	for i := range 50 {
		msgs = append(msgs, Message{Key: []byte("k"), Value: []byte(fmt.Sprint(i))})
	}
	pos, err := b.log.Append(ctxT(t), TopicEvents, msgs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pos {
		if p.Partition != 0 || p.Offset != int64(i) {
			t.Fatalf("message %d at %+v, want partition 0 offset %d", i, p, i)
		}
	}
}

// Fetched keys and values come back as written, a missing key as nil,
// and each record's bytes are its own: appending to a key never
// overwrites its value.
func TestFetchReturnsKeysAndValuesAsWritten(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	msgs := []Message{
		{Key: []byte("los-angeles"), Value: []byte("first")},
		{Key: nil, Value: []byte("no key")},
		{Key: []byte("k"), Value: []byte{}},
		{Key: []byte("large"), Value: bytes.Repeat([]byte("v"), 64<<10)},
	}
	if _, err := b.log.Append(ctxT(t), TopicEvents, msgs...); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, b.log, TopicEvents)[0]
	if len(got) != len(msgs) {
		t.Fatalf("fetched %d records, want %d", len(got), len(msgs))
	}
	for i, r := range got {
		if (r.Key == nil) != (msgs[i].Key == nil) || !bytes.Equal(r.Key, msgs[i].Key) || !bytes.Equal(r.Value, msgs[i].Value) {
			t.Fatalf("record %d: key %q value %.20q, want key %q value %.20q", i, r.Key, r.Value, msgs[i].Key, msgs[i].Value)
		}
		want := string(r.Value)
		_ = append(r.Key, "overwrite"...)
		if string(r.Value) != want {
			t.Fatalf("record %d: appending to the key changed the value", i)
		}
	}
}
