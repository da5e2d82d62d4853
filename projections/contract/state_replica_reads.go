package contract

import (
	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// stateReplicaReadsFollow: what one replica applies, the other reads at
// once, also after it read the same list before (a store may keep what it
// read, but never past a change).
func stateReplicaReadsFollow(f *stateFeed) {
	writer, reader := f.h.Store, f.h.Replica
	f.store = writer
	f.register("alpha")
	read := func(want ...projections.StatusView) {
		f.t.Helper()
		for range 2 { // the second read may come from what the first kept
			sts, err := reader.Statuses(f.ctx)
			if err != nil {
				f.t.Fatalf("replica statuses: %v", err)
			}
			if len(sts) != len(want) {
				f.t.Fatalf("replica statuses = %+v, want %+v", sts, want)
			}
			for i := range want {
				if !sameStatus(sts[i], want[i]) {
					f.t.Fatalf("replica status %d = %+v, want %+v", i, sts[i], want[i])
				}
			}
		}
	}
	read(projections.StatusView{ServerID: "alpha"})
	f.register("beta")
	read(projections.StatusView{ServerID: "alpha"}, projections.StatusView{ServerID: "beta"})
	at := f.tick()
	f.report(0, domain.ServerReported{ServerID: "beta", PingMS: 7, PingOK: true, Peers: 2, ReportedAt: at})
	beta := projections.StatusView{ServerID: "beta", Reported: true, PingMS: 7, PingOK: true, Peers: 2, ReportedAt: at}
	read(projections.StatusView{ServerID: "alpha"}, beta)
	at2 := f.tick()
	f.report(5, domain.ServerReported{ServerID: "alpha", PingMS: 1, PingOK: true, ReportedAt: at2})
	read(projections.StatusView{ServerID: "alpha", Reported: true, PingMS: 1, PingOK: true, ReportedAt: at2}, beta)
}
