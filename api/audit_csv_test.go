package api

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// The hand-written CSV is what encoding/csv writes for the same cells.
func TestAppendCSVMatchesEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	pieces := []string{"", "a", "admin@example.com", ",", `"`, "\r", "\n", "\r\n", " ", "\t", "\u00a0", `\.`, "é", "=1+1", "-x", "@", "x y", "\u2028"}
	cell := func() string {
		var s string
		for range rng.IntN(4) {
			s += pieces[rng.IntN(len(pieces))]
		}
		return s
	}
	for range 20000 {
		rec := make([]string, 1+rng.IntN(6))
		for i := range rec {
			rec[i] = cell()
		}
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if got := appendCSVRecord(nil, rec...); string(got) != want.String() {
			t.Fatalf("%q:\n got %q\nwant %q", rec, got, want.String())
		}
	}
}

// An audit row is the CSV record of its cells, neutralised, and writing
// one allocates nothing once the buffer is large enough.
func TestAppendAuditRow(t *testing.T) {
	r := projections.AuditRow{ID: 1234567, Actor: "=cmd|' /C calc'!A0", Action: "login_failed", Target: "a,b",
		IP: "2001:db8::1", CreatedAt: time.Date(2026, 5, 6, 12, 0, 0, 123000000, time.FixedZone("", 3600))}
	want := appendCSVRecord(nil, strconv.FormatInt(r.ID, 10), csvSafe(r.Actor), csvSafe(r.Action), csvSafe(r.Target),
		csvSafe(r.IP), r.CreatedAt.UTC().Format(time.RFC3339Nano))
	if got := appendAuditRow(nil, r); string(got) != string(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	r.Actor = "admin@example.com"
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = appendAuditRow(buf[:0], r) }); n != 0 {
		t.Errorf("appendAuditRow allocates %v times per row", n)
	}
}
