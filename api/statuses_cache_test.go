package api

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/projections"
)

// The cached encoder answers exactly what encoding every entry afresh
// answers, while servers report, join, leave and go offline.
func TestStatusCacheAnswersLikeFreshEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	const offlineAfter = 90 * time.Second
	var views []projections.StatusView
	for i := range 50 {
		views = append(views, projections.StatusView{ServerID: fmt.Sprintf("srv-%03d", i*2)})
	}
	var c statusCache
	check := func(step string) {
		t.Helper()
		got := c.appendStatuses(nil, views, now, offlineAfter)
		if want := appendStatuses(nil, views, now, offlineAfter); string(got) != string(want) {
			t.Fatalf("%s:\n got %s\nwant %s", step, got, want)
		}
	}
	check("nobody reported")
	for step := range 200 {
		switch rng.IntN(6) {
		case 0, 1, 2: // some servers report
			for range 1 + rng.IntN(5) {
				v := &views[rng.IntN(len(views))]
				v.Reported, v.PingOK, v.PingMS = true, rng.IntN(4) != 0, float64(rng.IntN(10000))/100
				v.Peers, v.TransferRx, v.TransferTx = rng.IntN(300), rng.Uint64(), rng.Uint64()>>8
				v.ReportedAt, v.AppliedVersion = now.Add(-time.Duration(rng.IntN(60))*time.Second), v.AppliedVersion+1
			}
		case 3: // the clock moves: some go offline without a new report
			now = now.Add(time.Duration(rng.IntN(60)) * time.Second)
		case 4: // a server joins, anywhere in the order
			id := fmt.Sprintf("srv-%03d", rng.IntN(200))
			if i, found := slices.BinarySearchFunc(views, id, func(v projections.StatusView, id string) int {
				return strings.Compare(v.ServerID, id)
			}); !found {
				views = slices.Insert(views, i, projections.StatusView{ServerID: id})
			}
		case 5: // one leaves
			if len(views) > 1 {
				i := rng.IntN(len(views))
				views = slices.Delete(views, i, i+1)
			}
		}
		check(fmt.Sprintf("step %d", step))
	}
	views = views[:0]
	check("no servers")
}
