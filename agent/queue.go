package agent

import "sync"

// queue is a bounded FIFO of reports. When full, pushing drops the oldest
// report and counts it. Every report gets a sequence number, so a sender
// can acknowledge exactly what it sent even if the oldest reports were
// dropped meanwhile. It is safe for concurrent use.
type queue struct {
	mu      sync.Mutex
	buf     []queued // ring buffer of fixed capacity
	head    int      // index of the oldest entry
	n       int      // number of entries held
	nextSeq uint64   // sequence number of the next push, from 1
	dropped uint64   // reports dropped for lack of room since start
}

type queued struct {
	seq uint64
	r   Report
}

func newQueue(capacity int) *queue {
	return &queue{buf: make([]queued, max(capacity, 1)), nextSeq: 1}
}

// push appends r and reports whether the oldest report was dropped to make
// room for it.
func (q *queue) push(r Report) (dropped bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == len(q.buf) {
		q.popLocked()
		q.dropped++
		dropped = true
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
