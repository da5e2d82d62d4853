package main

import "testing"

func TestParseProcStat(t *testing.T) {
	idle, total, err := parseProcStat("cpu  100 2 30 400 5 6 7 8 0 0\ncpu0 50 1 15 200 2 3 3 4 0 0\n")
	if err != nil || idle != 405 || total != 558 {
		t.Fatalf("idle %d, total %d, %v; want 405, 558", idle, total, err)
	}
	for _, bad := range []string{"", "intr 1 2 3", "cpu 1 2 3", "cpu 1 2 x 4 5 6 7 8"} {
		if _, _, err := parseProcStat(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
