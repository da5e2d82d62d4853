package contract

import (
	"maps"

	"github.com/sentrazone/sentrazone/eventstore"
)

// histOutOfOrder: reports that arrive late land in their place in time.
func histOutOfOrder(h *histHarness) {
	h.apply(0, 0,
		histReport{"a", 5 * histMin, 50, true, 5, 50},
		histReport{"a", 3 * histMin, 30, true, 3, 30},
		histReport{"a", 1 * histMin, 10, true, 1, 10},
	)
	h.apply(0, 3,
		histReport{"a", 2 * histMin, 20, true, 2, 20},
		histReport{"a", 0, 0, false, 0, 0},
		histReport{"a", 5*histMin + 30*histSec, 60, true, 6, 60},
	)
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=nil rx=0 tx=0",
		"a 1m0s ping=10.000 rx=1 tx=10",
		"a 2m0s ping=20.000 rx=2 tx=20",
		"a 3m0s ping=30.000 rx=3 tx=30",
		"a 5m0s ping=55.000 rx=6 tx=60",
	)
}

// histRedelivery: a batch delivered again, whole or overlapping, changes
// nothing already applied; only records at or past the next offset count.
func histRedelivery(h *histHarness) {
	first := h.decoded(0, 0,
		histReport{"a", 0, 10, true, 1, 1},
		histReport{"a", 10 * histSec, 20, true, 2, 2},
		histReport{"a", 20 * histSec, 60, true, 3, 3},
		histReport{"a", 30 * histSec, 30, true, 4, 4},
	)
	h.applyBatch(0, first)
	h.applyBatch(0, first)
	want := []string{"a 0s ping=30.000 rx=4 tx=4"}
	h.expect(0, histHour, histMin, nil, want...)

	overlap := append(first[2:4:4], h.decoded(0, 4,
		histReport{"a", 40 * histSec, 0, false, 5, 5},
		histReport{"a", 70 * histSec, 40, true, 6, 6},
	)...)
	h.applyBatch(0, overlap)
	h.applyBatch(0, overlap)
	h.applyBatch(0, first)
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=30.000 rx=5 tx=5",
		"a 1m0s ping=40.000 rx=6 tx=6",
	)
	h.expectOffsets(map[int]int64{0: 6})
}

// histNextOffsets: the next offset of every reports partition applied,
// nothing for other topics, nothing before any batch.
func histNextOffsets(h *histHarness) {
	h.expectOffsets(map[int]int64{})
	h.apply(0, 0, histReport{"a", 0, 1, true, 1, 1}, histReport{"a", histSec, 1, true, 1, 1}, histReport{"a", 2 * histSec, 1, true, 1, 1})
	h.apply(3, 10, histReport{"b", 0, 1, true, 1, 1}, histReport{"b", histSec, 1, true, 1, 1})
	h.applyBatch(1, nil)
	h.expectOffsets(map[int]int64{0: 3, 3: 12})
	h.apply(3, 12, histReport{"b", 2 * histSec, 1, true, 1, 1})
	h.expectOffsets(map[int]int64{0: 3, 3: 13})

	got, err := h.store.NextOffsets(h.ctx, eventstore.TopicEvents)
	if err != nil {
		h.t.Fatalf("NextOffsets(%s): %v", eventstore.TopicEvents, err)
	}
	if len(got) != 0 {
		h.t.Errorf("NextOffsets(%s) = %v, want none", eventstore.TopicEvents, got)
	}
}

// expectOffsets checks the store's next offsets of the reports topic.
func (h *histHarness) expectOffsets(want map[int]int64) {
	h.t.Helper()
	got, err := h.store.NextOffsets(h.ctx, eventstore.TopicReports)
	if err != nil {
		h.t.Fatalf("NextOffsets(%s): %v", eventstore.TopicReports, err)
	}
	if !maps.Equal(got, want) {
		h.t.Errorf("NextOffsets(%s) = %v, want %v", eventstore.TopicReports, got, want)
	}
}
