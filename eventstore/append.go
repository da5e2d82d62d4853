package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Group commit. Every (topic, partition) has a queue of pending appends;
// at most one produce request per partition is in flight, and it carries
// everything that queued while the previous one was out. An idle log
// sends a lone append at once (no batching timer), a busy one sends big
// batches: with a broker that fsyncs every batch, as the embedded one
// does, batches per second are the limit and reports per batch the lever.

// Produce request bounds: brokers refuse record batches over
// max.message.bytes (1 MiB by default); one append larger than this is
// sent alone and fails on its own.
const (
	produceMaxBytes   = 900 << 10
	produceMaxRecords = 10000
)

// piece is one Append's messages for one partition.
type piece struct {
	msgs []Message
	pos  []*Position
	size int
	done chan struct{}
	err  error
}

type partQueue struct {
	mu      sync.Mutex
	pending []*piece
	busy    bool
}

type partKey struct {
	topic     string
	partition int
}

// partitionCache remembers topics' partition counts for a while, as the
// kafka-go writer's metadata cache did.
type partitionCache struct {
	mu sync.Mutex
	m  map[string]cachedCount
}

type cachedCount struct {
	n  int
	at time.Time
}

const partitionCacheTTL = 10 * time.Second

// partitionCount returns the partitions of topic, from the cache when fresh.
func (l *KafkaLog) partitionCount(ctx context.Context, topic string) (int, error) {
	l.parts.mu.Lock()
	c, ok := l.parts.m[topic]
	l.parts.mu.Unlock()
	if ok && time.Since(c.at) < partitionCacheTTL {
		return c.n, nil
	}
	n, err := l.Partitions(ctx, topic)
	if err != nil {
		return 0, err
	}
	l.parts.mu.Lock()
	if l.parts.m == nil {
		l.parts.m = map[string]cachedCount{}
	}
	l.parts.m[topic] = cachedCount{n: n, at: time.Now()}
	l.parts.mu.Unlock()
	return n, nil
}

// partitionOf is the partition of key among parts (0..n-1), the kafka-go
// Hash balancer's choice (as Sarama's): logs written before group commit
// keep their keys' partitions.
func (l *KafkaLog) partitionOf(key []byte, parts []int) int {
	if len(parts) == 1 {
		return 0
	}
	return l.balancer.Balance(kafka.Message{Key: key}, parts...)
}

// partitionList is 0..n-1.
func partitionList(n int) []int {
	parts := make([]int, n)
	for i := range parts {
		parts[i] = i
	}
	return parts
}

// enqueue adds pc to its partition's queue and starts a drain when the
// partition is idle.
func (l *KafkaLog) enqueue(k partKey, pc *piece) {
	// Close waits for drains; none may start once it has begun.
	l.closeMu.RLock()
	defer l.closeMu.RUnlock()
	if l.closed.Load() {
		pc.err = ErrClosed
		close(pc.done)
		return
	}
	v, ok := l.queues.Load(k)
	if !ok {
		v, _ = l.queues.LoadOrStore(k, &partQueue{})
	}
	q := v.(*partQueue)
	q.mu.Lock()
	q.pending = append(q.pending, pc)
	if q.busy {
		q.mu.Unlock()
		return
	}
	q.busy = true
	q.mu.Unlock()
	l.drains.Go(func() { l.drain(k, q) })
}

// drain produces the queue's pieces, as many per request as fit, until
// the queue is empty.
func (l *KafkaLog) drain(k partKey, q *partQueue) {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.busy = false
			q.mu.Unlock()
			return
		}
		n, size, count := 0, 0, 0
		for n < len(q.pending) {
			pc := q.pending[n]
			if n > 0 && (size+pc.size > produceMaxBytes || count+len(pc.msgs) > produceMaxRecords) {
				break
			}
			size += pc.size
			count += len(pc.msgs)
			n++
		}
		take := q.pending[:n:n]
		q.pending = q.pending[n:]
		q.mu.Unlock()
		err := l.produce(k, take, count)
		for _, pc := range take {
			pc.err = err
			close(pc.done)
		}
	}
}

// produce writes pieces as one record batch and fills in their positions.
func (l *KafkaLog) produce(k partKey, pieces []*piece, count int) error {
	if l.closed.Load() {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.callTimeout)
	defer cancel()
	recs := make([]kafka.Record, 0, count)
	now := time.Now()
	for _, pc := range pieces {
		for _, m := range pc.msgs {
			recs = append(recs, kafka.Record{Time: now, Key: kafka.NewBytes(m.Key), Value: kafka.NewBytes(m.Value)})
		}
	}
	resp, err := l.client.Produce(ctx, &kafka.ProduceRequest{
		Topic: k.topic, Partition: k.partition, RequiredAcks: kafka.RequireAll,
		// Snappy shrinks JSON events about 6×: less to write, fsync and
		// fetch, for less CPU than it saves (docs/PERFORMANCE.md). LZ4
		// does as well in production but is 25× slower under -race.
		Compression: kafka.Snappy,
		Records:     kafka.NewRecordReader(recs...),
	})
	if err == nil && resp.Error != nil {
		err = resp.Error
	}
	if err != nil {
		return fmt.Errorf("produce %d records to %s/%d: %w", count, k.topic, k.partition, err)
	}
	off := resp.BaseOffset
	for _, pc := range pieces {
		for _, p := range pc.pos {
			p.Partition, p.Offset = k.partition, off
			off++
		}
	}
	return nil
}

// appendOnce queues msgs (indexes idx, grouped by partition) and waits for
// every partition's answer. It returns the indexes that still need
// writing and the first error.
func (l *KafkaLog) appendOnce(ctx context.Context, topic string, msgs []Message, pos []Position, byPart map[int][]int) (map[int][]int, error) {
	type sent struct {
		part int
		pc   *piece
	}
	pieces := make([]sent, 0, len(byPart))
	for part, idx := range byPart {
		pc := &piece{done: make(chan struct{}), msgs: make([]Message, len(idx)), pos: make([]*Position, len(idx))}
		for j, i := range idx {
			pc.msgs[j] = msgs[i]
			pc.pos[j] = &pos[i]
			pc.size += len(msgs[i].Key) + len(msgs[i].Value) + 32
		}
		pieces = append(pieces, sent{part, pc})
		l.enqueue(partKey{topic, part}, pc)
	}
	var errs []error
	var failed map[int][]int
	for _, s := range pieces {
		select {
		case <-s.pc.done:
		case <-ctx.Done():
			return byPart, ctx.Err()
		}
		if s.pc.err != nil {
			if failed == nil {
				failed = map[int][]int{}
			}
			failed[s.part] = byPart[s.part]
			errs = append(errs, s.pc.err)
		}
	}
	return failed, errors.Join(errs...)
}
