package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Group commit. Every (topic, leader broker) has a queue of pending
// appends. A produce request carries everything queued for that broker,
// every partition it leads, as Kafka producers send it: one request, not
// one per partition. Up to maxInFlight requests are out per queue, on
// disjoint partitions, so a partition has one request out at a time and
// keeps its appends in the order they queued. An idle log sends a lone
// append at once, unless its topic lingers (linger.go: the reports topic,
// when Config.ProduceLinger is set); a busy one sends big batches: with
// a broker that fsyncs every batch, as the embedded one does, batches per
// second are the limit and reports per batch the lever.

// Produce request bounds: brokers refuse record batches over
// max.message.bytes (1 MiB by default); a request stays under that in
// all, so each of its partitions' batches does. One append larger than
// this is sent alone and fails on its own.
const (
	produceMaxBytes   = 900 << 10
	produceMaxRecords = 10000
)

// piece is one Append's messages for one partition.
type piece struct {
	partition int
	msgs      []Message
	pos       []*Position
	size      int
	done      chan struct{}
	err       error
}

// leaderQueue holds the pieces waiting for one leader. Up to
// maxInFlight requests are out at once, on disjoint partitions: a
// partition has at most one request out, so its pieces stay in order.
type leaderQueue struct {
	mu       sync.Mutex
	pending  []*piece
	running  int          // drains
	inFlight map[int]bool // partitions with a request out

	// For the linger (linger.go).
	bytes   int           // size of the pending pieces
	records int           // their messages
	expect  int           // records pending at the last answer plus those it carried
	oldest  time.Time     // when the oldest pending piece queued
	newest  time.Time     // when the last piece queued
	spacing time.Duration // recent mean gap between appends
	wake    chan struct{} // a lingering drain's, signalled when ready
}

// maxInFlight bounds the produce requests out per leader, as a Kafka
// producer's max.in.flight.requests.per.connection does. One: what queues
// while a request is out goes in the next one, whole. Against a broker
// beside the server on two cores (12 partitions, single reports from 128
// agents), 1 beat 4 in 10 of 12 paired runs and 2 in 8 of 10: fewer,
// larger requests cost the server and the broker less CPU than the
// parallel ones saved in waiting (docs/PERFORMANCE.md). A topic with
// one partition never had more than one out.
const maxInFlight = 1

// take removes from the queue, in order, the pieces of partitions with
// no request out, up to the request bounds, and marks their partitions
// in flight. Called with q.mu held.
func (q *leaderQueue) take() []*piece {
	var took []*piece
	size, count := 0, 0
	rest := q.pending[:0]
	full := false
	for _, pc := range q.pending {
		if full || q.inFlight[pc.partition] {
			rest = append(rest, pc)
			continue
		}
		if len(took) > 0 && (size+pc.size > produceMaxBytes || count+len(pc.msgs) > produceMaxRecords) {
			full = true
			rest = append(rest, pc)
			continue
		}
		took = append(took, pc)
		size += pc.size
		count += len(pc.msgs)
	}
	clear(q.pending[len(rest):])
	q.pending = rest
	q.bytes -= size
	q.records -= count
	if q.inFlight == nil {
		q.inFlight = map[int]bool{}
	}
	for _, pc := range took {
		q.inFlight[pc.partition] = true
	}
	return took
}

// eligible reports whether a piece waits whose partition has no request
// out. Called with q.mu held.
func (q *leaderQueue) eligible() bool {
	for _, pc := range q.pending {
		if !q.inFlight[pc.partition] {
			return true
		}
	}
	return false
}

type queueKey struct {
	topic  string
	leader int
}

// partGroup is the indexes of the messages of one Append that go to one
// partition.
type partGroup struct {
	partition int
	idx       []int
}

// byPartition groups the indexes of msgs by the partition of their key
// among n, the kafka-go Hash balancer's choice (as Sarama's): logs
// written before group commit keep their keys' partitions. Groups come in
// the order of their first message.
func (l *KafkaLog) byPartition(msgs []Message, n int) []partGroup {
	if n == 1 {
		idx := make([]int, len(msgs))
		for i := range idx {
			idx[i] = i
		}
		return []partGroup{{partition: 0, idx: idx}}
	}
	parts := make([]int, n)
	for i := range parts {
		parts[i] = i
	}
	var groups []partGroup
	group := make([]int, n) // partition -> 1 + its index in groups
	for i, m := range msgs {
		p := l.balancer.Balance(kafka.Message{Key: m.Key}, parts...)
		if group[p] == 0 {
			groups = append(groups, partGroup{partition: p})
			group[p] = len(groups)
		}
		g := &groups[group[p]-1]
		g.idx = append(g.idx, i)
	}
	return groups
}

// enqueue adds pcs to their leader's queue, at once so that one request
// can carry them all, and starts a drain when the queue is idle.
func (l *KafkaLog) enqueue(k queueKey, pcs []*piece) {
	// Close waits for drains; none may start once it has begun.
	l.closeMu.RLock()
	defer l.closeMu.RUnlock()
	if l.closed.Load() {
		for _, pc := range pcs {
			pc.err = ErrClosed
			close(pc.done)
		}
		return
	}
	v, ok := l.queues.Load(k)
	if !ok {
		v, _ = l.queues.LoadOrStore(k, &leaderQueue{})
	}
	q := v.(*leaderQueue)
	q.mu.Lock()
	q.noteArrival(time.Now(), pcs, l.lingerFor(k.topic))
	q.pending = append(q.pending, pcs...)
	if q.running >= maxInFlight || (q.running > 0 && !q.eligible()) {
		q.mu.Unlock()
		return
	}
	q.running++
	q.mu.Unlock()
	l.drains.Go(func() { l.drain(k, q) })
}

// drain produces the queue's pieces, as many per request as fit, until
// none is left that it may send.
func (l *KafkaLog) drain(k queueKey, q *leaderQueue) {
	linger := l.lingerFor(k.topic)
	for {
		q.mu.Lock()
		if linger > 0 {
			q.linger(linger, l.done)
		}
		take := q.take()
		if len(take) == 0 {
			q.running--
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		l.produce(k.topic, take)
		q.mu.Lock()
		q.expect = q.records
		for _, pc := range take {
			delete(q.inFlight, pc.partition)
			q.expect += len(pc.msgs)
		}
		q.mu.Unlock()
		for _, pc := range take {
			close(pc.done)
		}
	}
}

// appendOnce queues msgs (indexes grouped by partition) on their
// leaders' queues and waits for every partition's answer. It returns the
// groups that still need writing and the first error.
func (l *KafkaLog) appendOnce(ctx context.Context, topic string, msgs []Message, pos []Position, groups []partGroup) ([]partGroup, error) {
	leaders, err := l.layout(ctx, topic)
	if err != nil {
		return groups, err
	}
	pieces := make([]*piece, len(groups))
	for g, gr := range groups {
		if gr.partition >= len(leaders) {
			return groups, fmt.Errorf("topic %s has %d partitions, not %d any more", topic, len(leaders), gr.partition+1)
		}
		pc := &piece{partition: gr.partition, done: make(chan struct{}), msgs: make([]Message, len(gr.idx)), pos: make([]*Position, len(gr.idx))}
		for j, i := range gr.idx {
			pc.msgs[j] = msgs[i]
			pc.pos[j] = &pos[i]
			pc.size += len(msgs[i].Key) + len(msgs[i].Value) + 32
		}
		pieces[g] = pc
	}
	l.enqueueByLeader(topic, leaders, pieces)
	var errs []error
	var failed []partGroup
	for g, pc := range pieces {
		select {
		case <-pc.done:
		case <-ctx.Done():
			return groups, ctx.Err()
		}
		if pc.err != nil {
			failed = append(failed, groups[g])
			errs = append(errs, pc.err)
		}
	}
	return failed, errors.Join(errs...)
}

// enqueueByLeader queues pieces, each on its partition leader's queue.
func (l *KafkaLog) enqueueByLeader(topic string, leaders []int, pieces []*piece) {
	if len(pieces) == 1 {
		l.enqueue(queueKey{topic, leaders[pieces[0].partition]}, pieces)
		return
	}
	byLeader := map[int][]*piece{}
	for _, pc := range pieces {
		byLeader[leaders[pc.partition]] = append(byLeader[leaders[pc.partition]], pc)
	}
	for leader, pcs := range byLeader {
		l.enqueue(queueKey{topic, leader}, pcs)
	}
}
