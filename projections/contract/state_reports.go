package contract

import (
	"reflect"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// statuses returns the store's statuses.
func (f *stateFeed) statuses() []projections.StatusView {
	f.t.Helper()
	sts, err := f.store.Statuses(f.ctx)
	if err != nil {
		f.t.Fatalf("statuses: %v", err)
	}
	return sts
}

// stateStatusNewestWins: a report older than the stored one does not
// overwrite it, in another batch or in the same one; a tie goes to the
// later record.
func stateStatusNewestWins(f *stateFeed) {
	f.register("srv")
	t1 := stateT0.Add(time.Hour)
	f.report(0, domain.ServerReported{ServerID: "srv", PingMS: 10, PingOK: true, Peers: 3, TransferRx: 100,
		TransferTx: 200, ReportedAt: t1, AppliedVersion: 1})
	f.report(0, domain.ServerReported{ServerID: "srv", PingMS: 99, ReportedAt: t1.Add(-time.Second)})
	want := projections.StatusView{ServerID: "srv", Reported: true, PingMS: 10, PingOK: true, Peers: 3,
		TransferRx: 100, TransferTx: 200, ReportedAt: t1, AppliedVersion: 1}
	f.wantStatus(want)

	f.applyReports(0,
		f.recordReport(0, domain.ServerReported{ServerID: "srv", PingMS: 20, PingOK: true, ReportedAt: t1.Add(2 * time.Second)}),
		f.recordReport(0, domain.ServerReported{ServerID: "srv", PingMS: 98, ReportedAt: t1.Add(time.Second)}),
		f.recordReport(0, domain.ServerReported{ServerID: "srv", PingMS: 21, PingOK: true, ReportedAt: t1.Add(2 * time.Second)}),
	)
	f.wantStatus(projections.StatusView{ServerID: "srv", Reported: true, PingMS: 21, PingOK: true, ReportedAt: t1.Add(2 * time.Second)})
}

// wantStatus fails unless the only status is want.
func (f *stateFeed) wantStatus(want projections.StatusView) {
	f.t.Helper()
	sts := f.statuses()
	if len(sts) != 1 || !sameStatus(sts[0], want) {
		f.t.Fatalf("statuses = %+v, want [%+v]", sts, want)
	}
}

// sameStatus compares statuses with times at the microsecond.
func sameStatus(a, b projections.StatusView) bool {
	ok := sameTime(a.ReportedAt, b.ReportedAt)
	a.ReportedAt, b.ReportedAt = time.Time{}, time.Time{}
	return ok && a == b
}

// stateStatusRegisteredOnly: statuses list registered servers only, sorted
// by id, with Reported false for one that never reported; a report that
// came before the registration shows once the server is registered.
func stateStatusRegisteredOnly(f *stateFeed) {
	f.register("b-srv")
	f.register("a-srv")
	at := stateT0.Add(time.Minute)
	f.report(0, domain.ServerReported{ServerID: "b-srv", PingMS: 5, PingOK: true, ReportedAt: at})
	f.report(1, domain.ServerReported{ServerID: "early", PingMS: 6, PingOK: true, Peers: 1, ReportedAt: at})
	sts := f.statuses()
	if len(sts) != 2 || !sameStatus(sts[0], projections.StatusView{ServerID: "a-srv"}) ||
		!sameStatus(sts[1], projections.StatusView{ServerID: "b-srv", Reported: true, PingMS: 5, PingOK: true, ReportedAt: at}) {
		f.t.Fatalf("statuses = %+v", sts)
	}
	f.register("early")
	sts = f.statuses()
	if len(sts) != 3 || !sameStatus(sts[2], projections.StatusView{ServerID: "early", Reported: true, PingMS: 6, PingOK: true, Peers: 1, ReportedAt: at}) {
		f.t.Fatalf("statuses after registering early = %+v", sts)
	}
}

// stateServerInterface: the interface an agent reports sets the server's
// public key and listen port; a report without one keeps them, an older
// report does not overwrite them.
func stateServerInterface(f *stateFeed) {
	f.register("srv")
	at := stateT0.Add(time.Hour)
	iface := func(seed string, port int) *domain.InterfaceInfo {
		return &domain.InterfaceInfo{PublicKey: stateKey(seed), ListenPort: port}
	}
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at, Interface: iface("one", 51820)})
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at.Add(time.Second)})
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at.Add(-time.Second), Interface: iface("old", 1)})
	f.wantInterface(stateKey("one"), 51820)
	f.report(0, domain.ServerReported{ServerID: "srv", ReportedAt: at.Add(2 * time.Second), Interface: iface("two", 443)})
	f.wantInterface(stateKey("two"), 443)
}

// wantInterface checks the public key and port of server "srv".
func (f *stateFeed) wantInterface(key string, port int) {
	f.t.Helper()
	v, ok, err := f.store.ServerView(f.ctx, "srv")
	if err != nil || !ok || v.PublicKey != key || v.ListenPort != port {
		f.t.Fatalf("server view = %+v, %v, %v; want key %s port %d", v, ok, err, key, port)
	}
	all, err := f.store.Servers(f.ctx)
	if err != nil || len(all) != 1 || all[0] != v {
		f.t.Fatalf("servers = %+v, %v; want [%+v]", all, err, v)
	}
}

// stateReportOffsets: records below the next offset of their partition are
// skipped, partitions are independent, and NextOffsets reports each.
func stateReportOffsets(f *stateFeed) {
	f.register("srv")
	at := stateT0.Add(time.Hour)
	first := f.report(3, domain.ServerReported{ServerID: "srv", PingMS: 1, ReportedAt: at})
	f.report(3, domain.ServerReported{ServerID: "srv", PingMS: 2, ReportedAt: at.Add(time.Second)})
	f.report(0, domain.ServerReported{ServerID: "other", PingMS: 3, ReportedAt: at})

	// The same position again, with newer content: skipped by position.
	replay := first
	replay.Event.Payload = domain.ServerReported{ServerID: "srv", PingMS: 50, ReportedAt: at.Add(time.Hour)}
	f.applyReports(3, replay)
	f.wantStatus(projections.StatusView{ServerID: "srv", Reported: true, PingMS: 2, ReportedAt: at.Add(time.Second)})
	if got := f.offsets(eventstore.TopicReports); !reflect.DeepEqual(got, map[int]int64{0: 1, 3: 2}) {
		f.t.Fatalf("report offsets = %v, want {0: 1, 3: 2}", got)
	}
	if got := f.offsets(eventstore.TopicEvents); !reflect.DeepEqual(got, map[int]int64{0: 1}) {
		f.t.Fatalf("event offsets = %v, want {0: 1}", got)
	}
}
