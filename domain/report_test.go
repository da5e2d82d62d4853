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
		func(r *ServerReported) { r.Peers = MaxReportPeers + 1 },
		func(r *ServerReported) { r.TransferRx = MaxCounter + 1 },
		func(r *ServerReported) { r.TransferTx = math.MaxUint64 },
		func(r *ServerReported) { r.PeerStats = []PeerStat{{PublicKey: testKey(1), TransferRx: MaxCounter + 1}} },
		func(r *ServerReported) { r.PeerStats = []PeerStat{{PublicKey: testKey(1), Endpoint: "1.2.3.4:5\x00"}} },
		func(r *ServerReported) {
			r.PeerStats = []PeerStat{{PublicKey: testKey(1), Endpoint: "host.example:51820"}}
		},
		func(r *ServerReported) { r.ReportedAt = now.Add(MaxClockSkew + time.Second) },
		func(r *ServerReported) { r.ReportedAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	good := []func(r *ServerReported){
		func(r *ServerReported) { r.Peers, r.TransferRx, r.TransferTx = MaxReportPeers, MaxCounter, MaxCounter },
		func(r *ServerReported) {
			r.PeerStats = []PeerStat{{PublicKey: testKey(1), Endpoint: "192.0.2.7:51820"}}
		},
		func(r *ServerReported) {
			r.PeerStats = []PeerStat{{PublicKey: testKey(1), Endpoint: "[2001:db8::1]:51820"}}
		},
		func(r *ServerReported) { r.ReportedAt = now.Add(MaxClockSkew) },
		func(r *ServerReported) { r.ReportedAt = now.Add(-7 * 24 * time.Hour) },
	}
	for i, edit := range good {
		r := in
		edit(&r)
		if _, err := ValidateReport(r, now); err != nil {
			t.Errorf("good case %d: %v", i, err)
		}
	}
	for i, edit := range bad {
		r := in
		edit(&r)
		if _, err := ValidateReport(r, now); !IsKind(err, KindInvalid) {
			t.Errorf("case %d: err = %v, want KindInvalid", i, err)
		}
	}
}
