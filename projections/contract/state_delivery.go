package contract

import (
	"reflect"
	"slices"
	"sync"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// stateBatches splits log into batches of n records.
func stateBatches(log []projections.Decoded, n int) [][]projections.Decoded {
	var out [][]projections.Decoded
	for len(log) > 0 {
		k := min(n, len(log))
		out = append(out, log[:k])
		log = log[k:]
	}
	return out
}

// applyAll feeds log to the store in batches of n.
func (f *stateFeed) applyAll(log []projections.Decoded, n int) {
	f.t.Helper()
	for _, b := range stateBatches(log, n) {
		f.apply(b...)
	}
}

// stateRedelivery: a batch delivered again, whole or overlapping, changes
// nothing: same audit rows, same offsets, same state.
func stateRedelivery(f *stateFeed) {
	log, rows := f.scenario()
	f.applyAll(log, 4)
	chain, peers := f.chain(), f.peerNames("paris")
	if len(chain) != rows {
		f.t.Fatalf("%d audit rows, want %d", len(chain), rows)
	}
	f.apply(log...)
	f.apply(log[3:9]...)
	f.applyAll(log, 5)
	if again := f.chain(); !slices.EqualFunc(again, chain, func(a, b projections.AuditRow) bool { return rowKey(a) == rowKey(b) }) {
		f.t.Fatalf("audit rows changed on redelivery: %d rows, had %d", len(again), len(chain))
	}
	if got := f.peerNames("paris"); !slices.Equal(got, peers) {
		f.t.Fatalf("peers changed on redelivery: %q, had %q", got, peers)
	}
	f.wantEventsOffset(int64(len(log)))
}

// stateTwoReplicas: two replicas feeding one store the same records at the
// same time end with one copy of everything and an intact chain.
func stateTwoReplicas(f *stateFeed) {
	log, rows := f.scenario()
	reports := []projections.Decoded{
		f.recordReport(2, domain.ServerReported{ServerID: "paris", PingMS: 3, PingOK: true, ReportedAt: f.tick()}),
		f.recordReport(2, domain.ServerReported{ServerID: "paris", PingMS: 4, PingOK: true, ReportedAt: f.tick()}),
		f.recordReport(2, domain.ServerReported{ServerID: "tokyo", PingMS: 5, PingOK: true, ReportedAt: f.tick()}),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i, st := range []projections.StateStore{f.h.Store, f.h.Replica} {
		wg.Go(func() {
			for _, b := range stateBatches(log, 3+2*i) {
				if err := st.ApplyEvents(f.ctx, 0, b); err != nil {
					errs <- err
					return
				}
			}
			for _, b := range stateBatches(reports, 1+i) {
				if err := st.ApplyReports(f.ctx, 2, b); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Fatalf("replica: %v", err)
	}
	chain := f.chain()
	if len(chain) != rows {
		f.t.Fatalf("%d audit rows, want %d", len(chain), rows)
	}
	if _, err := projections.VerifyAuditChain(f.ctx, f.h.Replica); err != nil {
		f.t.Fatal(err)
	}
	f.wantLogOrder(chain, log)
	for _, st := range []projections.StateStore{f.h.Store, f.h.Replica} {
		f.store = st
		if got := f.peerNames("paris"); !slices.Equal(got, []string{"p4", "p2", "p3"}) {
			f.t.Fatalf("peers = %q", got)
		}
		if got := f.offsets(eventstore.TopicReports); !reflect.DeepEqual(got, map[int]int64{2: 3}) {
			f.t.Fatalf("report offsets = %v", got)
		}
		f.wantEventsOffset(int64(len(log)))
	}
	sts, err := f.store.Statuses(f.ctx)
	if err != nil || len(sts) != 2 || sts[0].PingMS != 4 || sts[1].PingMS != 5 {
		f.t.Fatalf("statuses = %+v, %v", sts, err)
	}
}

// wantLogOrder fails unless the rows' events appear in log order.
func (f *stateFeed) wantLogOrder(rows []projections.AuditRow, log []projections.Decoded) {
	f.t.Helper()
	i := 0
	for _, r := range rows {
		for i < len(log) && log[i].Event.ID.String() != r.EventID {
			i++
		}
		if i == len(log) {
			f.t.Fatalf("audit row %d (event %s) is out of log order or unknown", r.ID, r.EventID)
		}
		i++
	}
}
