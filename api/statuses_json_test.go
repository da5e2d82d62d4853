package api

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

// TestAppendStatusesMatchesEncodingJSON: the hand-written encoder writes
// exactly what encoding/json writes for the same entries.
func TestAppendStatusesMatchesEncodingJSON(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	at := func(t time.Time) *time.Time { return &t }
	out := []statusJSON{
		{ServerID: "berlin"},
		{ServerID: "los-angeles", Online: true, PingMS: f(12.4), Peers: 5, TransferRx: 1 << 63, TransferTx: math.MaxUint64,
			ReportedAt: at(time.Date(2026, 5, 6, 11, 59, 1, 123456789, time.UTC))},
		{ServerID: "odd\"<&>\\é\u2028\x01", PingMS: f(0), ReportedAt: at(time.Date(2026, 5, 6, 11, 59, 1, 0, time.UTC))},
		{ServerID: "tiny", PingMS: f(1e-7), Peers: -1},
		{ServerID: "huge", PingMS: f(1e21)},
		{ServerID: "mid", PingMS: f(123456789.125)},
		{ServerID: "neg", PingMS: f(-0.5)},
	}
	for _, tc := range [][]statusJSON{nil, {}, out[:1], out} {
		want, err := json.Marshal(tc)
		if err != nil {
			t.Fatal(err)
		}
		if len(tc) == 0 {
			want = []byte("[]")
		}
		if got := appendStatuses(nil, tc); string(got) != string(want) {
			t.Errorf("appendStatuses:\n got %s\nwant %s", got, want)
		}
	}
}

// TestAppendHistoryMatchesEncodingJSON: likewise for history buckets.
func TestAppendHistoryMatchesEncodingJSON(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	out := []historyJSON{
		{ServerID: "berlin", RecordedAt: time.Date(2026, 5, 6, 11, 50, 0, 0, time.UTC)},
		{ServerID: "los-angeles", PingMS: f(12.4), TransferRx: 1 << 63, TransferTx: math.MaxUint64,
			RecordedAt: time.Date(2026, 5, 6, 11, 59, 1, 123456789, time.UTC)},
		{ServerID: "odd\"<&>\\é\u2028\x01", PingMS: f(1e-7)},
		{ServerID: "huge", PingMS: f(1e21), RecordedAt: time.Date(1999, 1, 2, 3, 4, 5, 600, time.UTC)},
	}
	for _, tc := range [][]historyJSON{nil, {}, out[:1], out} {
		want, err := json.Marshal(tc)
		if err != nil {
			t.Fatal(err)
		}
		if len(tc) == 0 {
			want = []byte("[]")
		}
		if got := appendHistory(nil, tc); string(got) != string(want) {
			t.Errorf("appendHistory:\n got %s\nwant %s", got, want)
		}
	}
}
