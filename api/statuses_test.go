package api

import (
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func TestStatuses(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.OfflineAfter = time.Minute })
	now := e.clock.Now()
	e.state.statuses = []projections.StatusView{
		{ServerID: "tokyo", Reported: true, PingMS: 80, PingOK: false, Peers: 2, TransferRx: 10, TransferTx: 20,
			ReportedAt: now.Add(-time.Minute)},
		{ServerID: "berlin"},
		{ServerID: "los-angeles", Reported: true, PingMS: 12.4, PingOK: true, Peers: 5, TransferRx: 1048576, TransferTx: 524288,
			ReportedAt: now.Add(-59 * time.Second).In(time.FixedZone("PDT", -7*3600))},
	}
	r := e.as(t, domain.RoleUser, "GET", "/api/statuses", "").want(t, 200)
	var got []map[string]any
	r.decode(t, &got)
	if len(got) != 3 {
		t.Fatalf("%d statuses: %s", len(got), r.body)
	}
	for _, s := range got {
		if keysOf(s) != "online,peers,ping_ms,reported_at,server_id,transfer_rx,transfer_tx" {
			t.Fatalf("fields %s", keysOf(s))
		}
	}
	berlin, la, tokyo := got[0], got[1], got[2]
	if berlin["server_id"] != "berlin" || la["server_id"] != "los-angeles" || tokyo["server_id"] != "tokyo" {
		t.Fatalf("not sorted by server_id: %s", r.body)
	}
	if berlin["online"] != false || berlin["reported_at"] != nil || berlin["ping_ms"] != nil {
		t.Errorf("never-reported server: %v", berlin)
	}
	if la["online"] != true || la["ping_ms"] != 12.4 || la["peers"] != 5.0 || la["transfer_rx"] != 1048576.0 ||
		la["reported_at"] != "2026-05-06T11:59:01Z" {
		t.Errorf("los-angeles: %v", la)
	}
	if tokyo["online"] != false || tokyo["ping_ms"] != nil {
		t.Errorf("tokyo (report a minute old, probe failed): %v", tokyo)
	}

	e.state.statuses = nil
	if b := string(e.as(t, domain.RoleUser, "GET", "/api/statuses", "").want(t, 200).body); b != "[]" {
		t.Errorf("no servers: %s, want []", b)
	}
}
