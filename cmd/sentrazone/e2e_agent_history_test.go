package main

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// checkEveryReportInHistory counts the agent's reports in the log (exactly
// as many as it measured) and finds each one's second in /api/history.
func checkEveryReportInHistory(t *testing.T, srv *server, admin *client, since time.Time, measured uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	seconds := map[string]bool{}
	var n uint64
	bounds, err := srv.p.log.Bounds(ctx, eventstore.TopicReports)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bounds {
		for off := b.Start; off < b.End; {
			batch, err := srv.p.log.Fetch(ctx, eventstore.TopicReports, b.Partition, off, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range batch.Records {
				env, err := domain.Decode(r.Value)
				if err != nil {
					t.Fatal(err)
				}
				if rep, ok := projections.ReportOf(env); ok && rep.ServerID == edgeID {
					n++
					seconds[rep.ReportedAt.Truncate(time.Second).Format(time.RFC3339)] = true
				}
			}
			off = batch.Next
		}
	}
	if n != measured {
		t.Fatalf("the log holds %d reports of %s, the agent measured %d", n, edgeID, measured)
	}
	var points []struct {
		RecordedAt string `json:"recorded_at"`
	}
	q := "/api/history?server_id=" + edgeID + "&step=1s&from=" + since.Add(-time.Second).Format(time.RFC3339)
	eventually(t, 5*time.Second, "every report in history", func() bool {
		admin.expect(200, "GET", q, nil).json(t, &points)
		have := map[string]bool{}
		for _, p := range points {
			have[p.RecordedAt] = true
		}
		for s := range seconds {
			if !have[s] {
				return false
			}
		}
		return true
	})
	t.Logf("%d reports, %d distinct seconds, all in history", n, len(seconds))
}
