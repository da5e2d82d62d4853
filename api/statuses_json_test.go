package api

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// statusJSON is one entry of GET /api/statuses as encoding/json writes
// it: the reference the hand-written encoder is held to.
type statusJSON struct {
	ServerID   string     `json:"server_id"`
	Online     bool       `json:"online"`
	PingMS     *float64   `json:"ping_ms"`
	Peers      int        `json:"peers"`
	TransferRx uint64     `json:"transfer_rx"`
	TransferTx uint64     `json:"transfer_tx"`
	ReportedAt *time.Time `json:"reported_at"`
}

func toStatusJSON(v projections.StatusView, now time.Time, offlineAfter time.Duration) statusJSON {
	s := statusJSON{ServerID: v.ServerID, Peers: v.Peers, TransferRx: v.TransferRx, TransferTx: v.TransferTx}
	if !v.Reported {
		return s
	}
	at := v.ReportedAt.UTC()
	s.ReportedAt = &at
	s.Online = now.Sub(at) < offlineAfter
	if v.PingOK {
		ping := v.PingMS
		s.PingMS = &ping
	}
	return s
}

// TestAppendStatusesMatchesEncodingJSON: the hand-written encoder writes
// exactly what encoding/json writes for the same entries.
func TestAppendStatusesMatchesEncodingJSON(t *testing.T) {
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	berlin := time.FixedZone("CEST", 2*3600)
	views := []projections.StatusView{
		{ServerID: "berlin"},
		{ServerID: "never-but-fields", PingOK: true, PingMS: 3, Peers: 2, TransferRx: 7},
		{ServerID: "los-angeles", Reported: true, PingOK: true, PingMS: 12.4, Peers: 5, TransferRx: 1 << 63, TransferTx: math.MaxUint64,
			ReportedAt: time.Date(2026, 5, 6, 11, 59, 1, 123456789, time.UTC)},
		{ServerID: "odd\"<&>\\é\u2028\x01", Reported: true, PingOK: true, ReportedAt: time.Date(2026, 5, 6, 11, 59, 1, 0, time.UTC)},
		{ServerID: "failed-ping", Reported: true, PingMS: 40, ReportedAt: time.Date(2026, 5, 6, 13, 59, 1, 0, berlin)},
		{ServerID: "stale", Reported: true, PingOK: true, PingMS: 1e-7, Peers: -1, ReportedAt: now.Add(-time.Hour)},
		{ServerID: "huge", Reported: true, PingOK: true, PingMS: 1e21, ReportedAt: now},
		{ServerID: "mid", Reported: true, PingOK: true, PingMS: 123456789.125, ReportedAt: now.Add(-89 * time.Second)},
		{ServerID: "neg", Reported: true, PingOK: true, PingMS: -0.5, ReportedAt: now.Add(-90 * time.Second)},
	}
	const offlineAfter = 90 * time.Second
	for _, tc := range [][]projections.StatusView{nil, {}, views[:1], views} {
		ref := make([]statusJSON, len(tc))
		for i, v := range tc {
			ref[i] = toStatusJSON(v, now, offlineAfter)
		}
		want, err := json.Marshal(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendStatuses(nil, tc, now, offlineAfter); string(got) != string(want) {
			t.Errorf("appendStatuses:\n got %s\nwant %s", got, want)
		}
	}
}

// TestAppendHistoryMatchesEncodingJSON: likewise for history buckets,
// written from the points the stores return.
func TestAppendHistoryMatchesEncodingJSON(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	berlin := time.FixedZone("CEST", 2*3600)
	points := []projections.HistoryPoint{
		{ServerID: "berlin", RecordedAt: time.Date(2026, 5, 6, 11, 50, 0, 0, time.UTC)},
		{ServerID: "los-angeles", PingMS: f(12.4), TransferRx: 1 << 63, TransferTx: math.MaxUint64,
			RecordedAt: time.Date(2026, 5, 6, 11, 59, 1, 123456789, time.UTC)},
		{ServerID: "odd\"<&>\\é\u2028\x01", PingMS: f(1e-7)},
		{ServerID: "huge", PingMS: f(1e21), RecordedAt: time.Date(1999, 1, 2, 3, 4, 5, 600, time.UTC)},
		{ServerID: "zoned", RecordedAt: time.Date(2026, 5, 6, 13, 50, 0, 0, berlin)},
	}
	for _, tc := range [][]projections.HistoryPoint{nil, {}, points[:1], points} {
		out := make([]historyJSON, len(tc))
		for i, p := range tc {
			out[i] = historyJSON{ServerID: p.ServerID, PingMS: p.PingMS, TransferRx: p.TransferRx,
				TransferTx: p.TransferTx, RecordedAt: p.RecordedAt.UTC()}
		}
		want, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendHistory(nil, tc); string(got) != string(want) {
			t.Errorf("appendHistory:\n got %s\nwant %s", got, want)
		}
	}
}

// The short way of writing UTC times of whole seconds writes what
// time.Time's MarshalJSON writes, for any such time and any other.
func TestAppendJSONTimeMatchesMarshalJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zone := time.FixedZone("X", -7*3600-1800)
	times := []time.Time{{}, time.Unix(0, 0).UTC(), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 2000 {
		u := time.Unix(rng.Int64N(1<<37)-1<<35, 0)
		times = append(times, u.UTC(), u.In(zone), u.Add(time.Duration(rng.IntN(1e9))).UTC())
	}
	for _, tm := range times {
		want, err := tm.MarshalJSON()
		if err != nil {
			continue // years MarshalJSON refuses are never written
		}
		if got := appendJSONTime(nil, tm); string(got) != string(want) {
			t.Fatalf("appendJSONTime(%v) = %s, want %s", tm, got, want)
		}
	}
}
