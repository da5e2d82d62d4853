package eventstore

import (
	"slices"
	"testing"
)

// take sends, in queue order, the pieces of partitions with no request
// out, within the request bounds, and leaves the rest queued in order.
func TestLeaderQueueTakeSkipsPartitionsInFlight(t *testing.T) {
	pc := func(part, size int) *piece { return &piece{partition: part, size: size, msgs: make([]Message, 1)} }
	a1, b1, a2, c1, b2, d1 := pc(0, 10), pc(1, 10), pc(0, 10), pc(2, produceMaxBytes), pc(1, 10), pc(3, 10)
	q := &leaderQueue{pending: []*piece{a1, b1, a2, c1, b2, d1}, inFlight: map[int]bool{1: true}}

	// Partition 1 is out: its pieces wait. c1 would pass the byte bound
	// after a1 and a2, so it and everything after it wait too, even d1,
	// which would fit: order in the queue is kept.
	took := q.take()
	if !slices.Equal(took, []*piece{a1, a2}) {
		t.Fatalf("took %v, want a1 a2", parts(took))
	}
	if !slices.Equal(q.pending, []*piece{b1, c1, b2, d1}) {
		t.Fatalf("left %v, want b1 c1 b2 d1", parts(q.pending))
	}
	if !q.inFlight[0] || !q.inFlight[1] || q.inFlight[2] {
		t.Fatalf("in flight %v, want 0 and 1", q.inFlight)
	}
	if !q.eligible() {
		t.Fatal("c1 and d1 may go, eligible says none")
	}

	// A second drain may send what the first left: c1 alone (it fills a
	// request), then d1.
	if took := q.take(); !slices.Equal(took, []*piece{c1}) {
		t.Fatalf("took %v, want c1", parts(took))
	}
	if took := q.take(); !slices.Equal(took, []*piece{d1}) {
		t.Fatalf("took %v, want d1", parts(took))
	}
	if q.eligible() || len(q.take()) != 0 {
		t.Fatal("only partition 1's pieces are left, and it is out")
	}
	delete(q.inFlight, 1)
	if took := q.take(); !slices.Equal(took, []*piece{b1, b2}) {
		t.Fatalf("took %v, want b1 b2", parts(took))
	}
	if len(q.pending) != 0 {
		t.Fatalf("left %v", parts(q.pending))
	}
}

func parts(pcs []*piece) []int {
	out := make([]int, len(pcs))
	for i, pc := range pcs {
		out[i] = pc.partition
	}
	return out
}
