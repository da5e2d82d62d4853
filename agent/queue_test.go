package agent

import (
	"testing"
	"time"
)

func reportAt(i int) Report {
	return Report{ServerID: "la", ReportedAt: time.Unix(int64(i), 0).UTC()}
}

func seconds(rs []Report) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ReportedAt.Unix()
	}
	return out
}

func TestQueueKeepsOrderAndDropsOldest(t *testing.T) {
	q := newQueue(3)
	for i := 1; i <= 3; i++ {
		if q.push(reportAt(i)) {
			t.Fatalf("push %d dropped", i)
		}
	}
	if !q.push(reportAt(4)) || !q.push(reportAt(5)) {
		t.Fatal("push into a full queue did not drop")
	}
	if q.droppedTotal() != 2 || q.len() != 3 {
		t.Fatalf("dropped = %d, len = %d", q.droppedTotal(), q.len())
	}
	got, last := q.peek(10)
	if want := []int64{3, 4, 5}; !equal(seconds(got), want) {
		t.Fatalf("peek = %v, want %v", seconds(got), want)
	}
	q.ack(last)
	if q.len() != 0 {
		t.Fatalf("len after ack = %d", q.len())
	}
}

func TestQueueBatchesAndAckSurvivesDrops(t *testing.T) {
	q := newQueue(4)
	for i := 1; i <= 4; i++ {
		q.push(reportAt(i))
	}
	batch, last := q.peek(2)
	if want := []int64{1, 2}; !equal(seconds(batch), want) {
		t.Fatalf("batch = %v", seconds(batch))
	}
	// While the batch is in flight, two pushes drop 1 and 2.
	q.push(reportAt(5))
	q.push(reportAt(6))
	q.ack(last) // must not remove 3 and 4, which were never sent
	rest, _ := q.peek(10)
	if want := []int64{3, 4, 5, 6}; !equal(seconds(rest), want) {
		t.Fatalf("after ack = %v, want %v", seconds(rest), want)
	}
	if b, _ := q.peek(3); len(b) != 3 {
		t.Fatalf("peek(3) returned %d", len(b))
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQueueGrowsOnDemandAndReleasesWhenEmpty(t *testing.T) {
	q := newQueue(100)
	if len(q.buf) != 0 {
		t.Fatalf("new ring has %d slots", len(q.buf))
	}
	// Wrap the small ring before it grows, so growing must reorder.
	for i := 1; i <= 3; i++ {
		q.push(reportAt(i))
	}
	_, last := q.peek(2)
	q.ack(last)
	for i := 4; i <= 50; i++ {
		if q.push(reportAt(i)) {
			t.Fatalf("push %d dropped", i)
		}
	}
	got, last := q.peek(100)
	if len(got) != 48 || got[0].ReportedAt.Unix() != 3 || got[47].ReportedAt.Unix() != 50 || len(q.buf) != 64 {
		t.Fatalf("peek = %v, ring of %d", seconds(got), len(q.buf))
	}
	for i := 1; i < len(got); i++ {
		if got[i].ReportedAt.Unix() != got[i-1].ReportedAt.Unix()+1 {
			t.Fatalf("out of order: %v", seconds(got))
		}
	}
	q.ack(last)
	if q.len() != 0 || len(q.buf) != 0 {
		t.Fatalf("after ack: len %d, ring of %d", q.len(), len(q.buf))
	}
	for i := 1; i <= 150; i++ {
		q.push(reportAt(i))
	}
	if q.len() != 100 || len(q.buf) != 100 || q.droppedTotal() != 50 {
		t.Fatalf("len %d, ring of %d, dropped %d", q.len(), len(q.buf), q.droppedTotal())
	}
}
