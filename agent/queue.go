package agent

import "sync"

// queue is a bounded FIFO of reports. When full, pushing drops the oldest
// report and counts it. Every report gets a sequence number, so a sender
// can acknowledge exactly what it sent even if the oldest reports were
// dropped meanwhile. It is safe for concurrent use.
//
// The ring grows on demand up to the capacity and is released when the
// queue empties: normally it holds one report at a time, and a full ring of
// an hour of 1 s reports would keep ~0.7 MB of slots resident for nothing.
type queue struct {
	mu       sync.Mutex
	buf      []queued // ring buffer, at most capacity entries
	capacity int
	head     int    // index of the oldest entry
	n        int    // number of entries held
	nextSeq  uint64 // sequence number of the next push, from 1
	dropped  uint64 // reports dropped for lack of room since start
}

// minRing is the ring's size when it is first needed.
const minRing = 4

type queued struct {
	seq uint64
	r   Report
}

func newQueue(capacity int) *queue {
	return &queue{capacity: max(capacity, 1), nextSeq: 1}
}

// push appends r and reports whether the oldest report was dropped to make
// room for it.
func (q *queue) push(r Report) (dropped bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == q.capacity {
		q.popLocked()
		q.dropped++
		dropped = true
	}
	if q.n == len(q.buf) {
		q.growLocked()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = queued{seq: q.nextSeq, r: r}
	q.nextSeq++
	q.n++
	return dropped
}

// peek returns copies of the oldest min(n, len) reports, oldest first, and
// the sequence number of the last one (0 when empty).
func (q *queue) peek(n int) ([]Report, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, q.n)
	out := make([]Report, n)
	var last uint64
	for i := range n {
		e := q.buf[(q.head+i)%len(q.buf)]
		out[i], last = e.r, e.seq
	}
	return out, last
}

// ack removes every report up to and including sequence number seq.
func (q *queue) ack(seq uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n > 0 && q.buf[q.head].seq <= seq {
		q.popLocked()
	}
	if q.n == 0 && len(q.buf) > minRing {
		q.buf, q.head = nil, 0
	}
}

// growLocked doubles the ring, up to the capacity, oldest entry first.
func (q *queue) growLocked() {
	buf := make([]queued, min(max(2*len(q.buf), minRing), q.capacity))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

func (q *queue) popLocked() {
	q.buf[q.head] = queued{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
}

// len is the number of reports held.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// droppedTotal is the number of reports dropped for lack of room.
func (q *queue) droppedTotal() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
