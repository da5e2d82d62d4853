package domain

import (
	"math"
	"testing"
	"time"
)

func TestValidateReport(t *testing.T) {
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	zone := time.FixedZone("X", 3600)
	in := ServerReported{
		ServerID: "srv", PingMS: 3.5, PingOK: true, Peers: 1,
		Interface: &InterfaceInfo{PublicKey: testKey(0), ListenPort: 51820},
		PeerStats: []PeerStat{{PublicKey: testKey(1), LatestHandshakeAt: now.In(zone)}},
	}
	got, err := ValidateReport(in, now)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReportedAt.Equal(now) || got.PeerStats[0].LatestHandshakeAt.Location() != time.UTC {
		t.Fatalf("times not normalised: %+v", got)
	}
	if in.PeerStats[0].LatestHandshakeAt.Location() != zone || got.Interface == in.Interface {
		t.Fatal("input was modified or shared")
	}

	bad := []func(r *ServerReported){
		func(r *ServerReported) { r.ServerID = "Bad ID" },
		func(r *ServerReported) { r.PingMS = math.NaN() },
		func(r *ServerReported) { r.PingMS = math.Inf(1) },
		func(r *ServerReported) { r.PingMS = -1 },
		func(r *ServerReported) { r.Peers = -1 },
		func(r *ServerReported) { r.AppliedVersion = -1 },
		func(r *ServerReported) { r.Interface = &InterfaceInfo{ListenPort: 70000} },
		func(r *ServerReported) { r.Interface = &InterfaceInfo{PublicKey: "nope"} },
		func(r *ServerReported) { r.PeerStats = []PeerStat{{PublicKey: ""}} },
	}
	for i, edit := range bad {
		r := in
		edit(&r)
		if _, err := ValidateReport(r, now); !IsKind(err, KindInvalid) {
			t.Errorf("case %d: err = %v, want KindInvalid", i, err)
		}
	}
}
