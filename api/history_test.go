package api

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func TestHistoryQueryDefaults(t *testing.T) {
	q, ok, err := historyQuery(historyParams{}, testNow)
	if err != nil || !ok {
		t.Fatalf("defaults: %v %v", ok, err)
	}
	if !q.To.Equal(testNow) || !q.From.Equal(testNow.Add(-72*time.Hour)) || q.Step != 10*time.Minute || q.ServerIDs != nil {
		t.Fatalf("defaults: %+v", q)
	}
}

func TestDefaultStep(t *testing.T) {
	for span, want := range map[time.Duration]time.Duration{
		time.Second:       time.Second,
		720 * time.Second: time.Second,
		721 * time.Second: 2 * time.Second,
		time.Hour:         5 * time.Second,
		6 * time.Hour:     30 * time.Second,
		24 * time.Hour:    2 * time.Minute,
		72 * time.Hour:    10 * time.Minute,
		3000 * time.Hour:  6 * time.Hour,
		20000 * time.Hour: 28 * time.Hour,
	} {
		got := defaultStep(span)
		if got != want {
			t.Errorf("defaultStep(%v) = %v, want %v", span, got, want)
		}
		if ceilDiv(span, got) > historyTargetPoints {
			t.Errorf("defaultStep(%v) gives %d points", span, ceilDiv(span, got))
		}
	}
}

func TestHistoryQueryClampsAndValidates(t *testing.T) {
	rfc := func(d time.Duration) string { return testNow.Add(d).Format(time.RFC3339) }
	q, ok, err := historyQuery(historyParams{From: rfc(-100 * time.Hour), To: rfc(time.Hour), Step: "1m",
		ServerIDs: []string{"tokyo", "berlin", "tokyo"}}, testNow)
	if err != nil || !ok {
		t.Fatalf("clamp: %v %v", ok, err)
	}
	if !q.From.Equal(testNow.Add(-72*time.Hour)) || !q.To.Equal(testNow) || q.Step != time.Minute ||
		!slices.Equal(q.ServerIDs, []string{"berlin", "tokyo"}) {
		t.Fatalf("clamped query %+v", q)
	}
	if _, ok, err := historyQuery(historyParams{From: rfc(-90 * time.Hour), To: rfc(-80 * time.Hour)}, testNow); err != nil || ok {
		t.Fatalf("window before retention: ok=%v err=%v, want empty answer", ok, err)
	}
	bad := []historyParams{
		{From: rfc(-time.Hour), To: rfc(-time.Hour)},
		{From: rfc(-time.Hour), To: rfc(-2 * time.Hour)},
		{From: "yesterday"},
		{To: "2026-05-06"},
		{Step: "0s"},
		{Step: "500ms"},
		{Step: "1500ms"},
		{Step: "-5m"},
		{Step: "five"},
		{Step: "1s"}, // 259200 points over 72 h
		{ServerIDs: []string{"Bad_ID"}},
		{ServerIDs: []string{""}},
	}
	for _, p := range bad {
		if _, _, err := historyQuery(p, testNow); err == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if _, ok, err := historyQuery(historyParams{From: rfc(-2 * time.Hour), Step: "1s"}, testNow); err != nil || !ok {
		t.Errorf("2 h at 1s (7200 points) rejected: %v", err)
	}
}

func TestHistoryRoute(t *testing.T) {
	e := newEnv(t)
	ping := 12.5
	t0 := testNow.Add(-time.Hour)
	e.history.points = []projections.HistoryPoint{
		{ServerID: "tokyo", TransferRx: 3, TransferTx: 4, RecordedAt: t0},
		{ServerID: "berlin", PingMS: &ping, TransferRx: 1, TransferTx: 2, RecordedAt: t0.Add(time.Minute)},
		{ServerID: "berlin", PingMS: &ping, RecordedAt: t0},
	}
	q := url.Values{"server_id": {"berlin", "tokyo"}, "from": {"2026-05-06T10:00:00+00:00"}, "step": {"5m"}}
	r := e.as(t, domain.RoleUser, "GET", "/api/history?"+q.Encode(), "").want(t, 200)
	var got []map[string]any
	r.decode(t, &got)
	if len(got) != 3 {
		t.Fatalf("%s", r.body)
	}
	for _, p := range got {
		if keysOf(p) != "ping_ms,recorded_at,server_id,transfer_rx,transfer_tx" {
			t.Fatalf("fields %s", keysOf(p))
		}
	}
	if got[0]["recorded_at"] != "2026-05-06T11:00:00Z" || got[1]["recorded_at"] != "2026-05-06T11:01:00Z" ||
		got[2]["server_id"] != "tokyo" || got[2]["ping_ms"] != nil || got[0]["ping_ms"] != 12.5 {
		t.Fatalf("order or values: %s", r.body)
	}
	lq := e.history.lastQuery()
	if lq == nil || !slices.Equal(lq.ServerIDs, []string{"berlin", "tokyo"}) || lq.Step != 5*time.Minute ||
		!lq.From.Equal(testNow.Add(-2*time.Hour)) || !lq.To.Equal(testNow) {
		t.Fatalf("query %+v", lq)
	}

	// An unencoded "+" offset arrives as a space and is forgiven.
	e.as(t, domain.RoleUser, "GET", "/api/history?from=2026-05-06T10:00:00+00:00", "").want(t, 200)
	for _, qs := range []string{"step=1s", "from=x", "server_id=UPPER", "from=2026-05-06T12:00:00Z&to=2026-05-06T11:00:00Z"} {
		r := e.as(t, domain.RoleUser, "GET", "/api/history?"+qs, "").want(t, 400, CodeBadRequest)
		if strings.Contains(qs, "step") && !strings.Contains(r.message(t), "10000") {
			t.Errorf("step error does not give the bound: %s", r.body)
		}
	}
	e.history.points = nil
	if b := e.as(t, domain.RoleUser, "GET", "/api/history", "").want(t, 200).body; string(b) != "[]" {
		t.Errorf("empty history: %s", b)
	}
}
