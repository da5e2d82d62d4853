package contract

// histServerFilter: ServerIDs narrows the answer; unknown ids and
// duplicates in the filter are harmless.
func histServerFilter(h *histHarness) {
	h.apply(0, 0, histReport{"a", 0, 1, true, 1, 1})
	h.apply(1, 0, histReport{"b", 0, 2, true, 2, 2})
	h.apply(2, 0, histReport{"c", 0, 3, true, 3, 3})
	h.expect(0, histHour, histMin, []string{"c", "a"},
		"a 0s ping=1.000 rx=1 tx=1",
		"c 0s ping=3.000 rx=3 tx=3",
	)
	h.expect(0, histHour, histMin, []string{"b", "b"}, "b 0s ping=2.000 rx=2 tx=2")
	h.expect(0, histHour, histMin, []string{"nope"})
	h.expect(0, histHour, histMin, nil,
		"a 0s ping=1.000 rx=1 tx=1",
		"b 0s ping=2.000 rx=2 tx=2",
		"c 0s ping=3.000 rx=3 tx=3",
	)
}

// histSortOrder: points come sorted by server id, then time, whatever the
// order of partitions and arrival.
func histSortOrder(h *histHarness) {
	h.apply(0, 0,
		histReport{"zeta", histMin, 2, true, 2, 2},
		histReport{"zeta", 0, 1, true, 1, 1},
		histReport{"mid", histMin, 4, true, 4, 4},
	)
	h.apply(1, 0,
		histReport{"alpha", 2 * histMin, 6, true, 6, 6},
		histReport{"alpha", 0, 5, true, 5, 5},
	)
	h.apply(0, 3, histReport{"mid", 0, 3, true, 3, 3})
	h.expect(0, histHour, histMin, nil,
		"alpha 0s ping=5.000 rx=5 tx=5",
		"alpha 2m0s ping=6.000 rx=6 tx=6",
		"mid 0s ping=3.000 rx=3 tx=3",
		"mid 1m0s ping=4.000 rx=4 tx=4",
		"zeta 0s ping=1.000 rx=1 tx=1",
		"zeta 1m0s ping=2.000 rx=2 tx=2",
	)
}
