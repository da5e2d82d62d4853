package contract

import "time"

// histPrune: Prune drops what lies before the cut-off and keeps what lies
// at or after it. A store may drop in coarse units (ClickHouse drops whole
// days, in its server's time zone, that end before the cut-off), so only
// data more than a day older than the cut-off is required to be gone.
// Offsets survive.
func histPrune(h *histHarness) {
	const day = 24 * histHour
	h.apply(0, 0,
		histReport{"a", -5*day + 12*histHour, 1, true, 1, 1},
		histReport{"a", -3*day + 12*histHour, 2, true, 2, 2},
		histReport{"a", -day + 12*histHour, 3, true, 3, 3},
		histReport{"a", -day + 23*histHour, 4, true, 4, 4},
	)
	h.apply(1, 0, histReport{"b", -3*day + 12*histHour, 5, true, 5, 5})
	h.prune(histT0.Add(-2*day + 13*histHour)) // 25h after the -3d+12h reports
	h.expect(-6*day, day, histHour, nil,
		"a -12h0m0s ping=3.000 rx=3 tx=3",
		"a -1h0m0s ping=4.000 rx=4 tx=4",
	)

	h.prune(histT0.Add(-day + 18*histHour))
	got := histStrings(h.history(-6*day, day, histHour))
	if len(got) == 0 || got[len(got)-1] != "a -1h0m0s ping=4.000 rx=4 tx=4" {
		h.t.Errorf("after Prune: %q, want the report after the cut-off kept", got)
	}
	h.expectOffsets(map[int]int64{0: 4, 1: 1})
}

func (h *histHarness) prune(before time.Time) {
	h.t.Helper()
	if err := h.store.Prune(h.ctx, before); err != nil {
		h.t.Fatalf("Prune(%v): %v", before, err)
	}
}

// histReset: Reset empties history and offsets; the log can then be
// applied again from the start.
func histReset(h *histHarness) {
	batch := h.decoded(2, 0, histReport{"a", 0, 1, true, 1, 1}, histReport{"b", 0, 2, true, 2, 2})
	h.applyBatch(2, batch)
	if err := h.store.Reset(h.ctx); err != nil {
		h.t.Fatalf("Reset: %v", err)
	}
	h.expect(0, histHour, histMin, nil)
	h.expectOffsets(map[int]int64{})

	h.applyBatch(2, batch)
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=1.000 rx=1 tx=1",
		"b 0s ping=2.000 rx=2 tx=2",
	)
	h.expectOffsets(map[int]int64{2: 2})
}
