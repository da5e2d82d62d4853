package domain

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// appendTimeJSON writes what MarshalJSON writes, and says so exactly when
// MarshalJSON would fail; parseTimeJSON reads that back as UnmarshalJSON.
func TestTimeJSONMatchesTimePackage(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("odd", -(9*3600 + 30*60 + 15))}
	times := []time.Time{{}, time.Unix(0, 0).UTC(), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 100, time.UTC), time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC)}
	for range 20000 {
		u := time.Unix(rng.Int64N(1<<38)-1<<36, int64(rng.IntN(1e9))*int64(rng.IntN(2)))
		times = append(times, u.UTC(), u.In(zones[rng.IntN(len(zones))]))
	}
	for _, tm := range times {
		want, err := tm.MarshalJSON()
		got, ok := appendTimeJSON(nil, tm)
		if ok != (err == nil) {
			t.Fatalf("%v: appendTimeJSON ok = %v, MarshalJSON error %v", tm, ok, err)
		}
		if !ok {
			continue
		}
		if string(got) != string(want) {
			t.Fatalf("appendTimeJSON(%v) = %s, want %s", tm, got, want)
		}
		var back time.Time
		if err := back.UnmarshalJSON(want); err != nil {
			t.Fatal(err)
		}
		parsed, ok := parseTimeJSON(want[1 : len(want)-1])
		if !ok || !reflect.DeepEqual(parsed, back) {
			t.Fatalf("parseTimeJSON(%s) = %v, %v; want %v", want, parsed, ok, back)
		}
	}
}

// FuzzParseTimeJSON: what parseTimeJSON accepts, UnmarshalText accepts
// and reads alike.
func FuzzParseTimeJSON(f *testing.F) {
	for _, s := range []string{"2026-05-06T12:00:00Z", "2024-02-29T23:59:59.999999999Z", "2023-02-29T00:00:00Z",
		"2026-05-06T24:00:00Z", "2026-05-06T12:00:60Z", "2026-05-06T12:00:00.5+02:00", "1969-12-31T23:59:59Z"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got, ok := parseTimeJSON(s)
		if !ok {
			return
		}
		var want time.Time
		if err := want.UnmarshalText(s); err != nil {
			t.Fatalf("parseTimeJSON accepted %q, UnmarshalText refuses: %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: parseTimeJSON %v, UnmarshalText %v", s, got, want)
		}
	})
}
