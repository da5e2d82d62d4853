package contract

import (
	"reflect"
	"slices"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/projections"
)

// stateSnapshot is everything a reader sees, for comparing two builds.
type stateSnapshot struct {
	Chain    []string
	Servers  []projections.ServerView
	Peers    []projections.PeerView
	Users    []projections.UserView
	Settings map[string]string
	Statuses []projections.StatusView
	Events   map[int]int64
	Reports  map[int]int64
}

// snapshot reads everything the store holds.
func (f *stateFeed) snapshot() stateSnapshot {
	f.t.Helper()
	var s stateSnapshot
	for _, r := range f.chain() {
		s.Chain = append(s.Chain, rowKey(r))
	}
	var err error
	check := func(what string) {
		if err != nil {
			f.t.Fatalf("snapshot %s: %v", what, err)
		}
	}
	s.Servers, err = f.store.Servers(f.ctx)
	check("servers")
	for _, v := range s.Servers {
		ps, perr := f.store.Peers(f.ctx, v.ID)
		err = perr
		check("peers")
		s.Peers = append(s.Peers, ps...)
	}
	s.Users, err = f.store.Users(f.ctx)
	check("users")
	s.Settings, err = f.store.Settings(f.ctx)
	check("settings")
	s.Statuses, err = f.store.Statuses(f.ctx)
	check("statuses")
	s.Events = f.offsets(eventstore.TopicEvents)
	s.Reports = f.offsets(eventstore.TopicReports)
	return s
}

// stateResetRebuild: Reset empties everything, offsets included, and
// applying the same log again, in other batches, rebuilds the same state
// and the same audit chain: ids and hashes included.
func stateResetRebuild(f *stateFeed) {
	log, _ := f.scenario()
	reports := []projections.Decoded{
		f.recordReport(0, domain.ServerReported{ServerID: "paris", PingMS: 7, PingOK: true, ReportedAt: f.tick(),
			Interface: &domain.InterfaceInfo{PublicKey: stateKey("paris"), ListenPort: 51820},
			PeerStats: []domain.PeerStat{{PublicKey: stateKey("paris/p2"), TransferRx: 9, LatestHandshakeAt: f.clock}}}),
		f.recordReport(0, domain.ServerReported{ServerID: "tokyo", PingMS: 8, ReportedAt: f.tick()}),
	}
	f.applyAll(log, 4)
	f.applyReports(0, reports...)
	before := f.snapshot()
	if len(before.Chain) == 0 || len(before.Peers) != 4 || len(before.Users) != 1 {
		f.t.Fatalf("scenario built too little: %+v", before)
	}

	if err := f.store.Reset(f.ctx); err != nil {
		f.t.Fatalf("reset: %v", err)
	}
	empty := f.snapshot()
	if len(empty.Chain)+len(empty.Servers)+len(empty.Users)+len(empty.Settings)+len(empty.Statuses)+
		len(empty.Events)+len(empty.Reports) != 0 {
		f.t.Fatalf("store not empty after reset: %+v", empty)
	}
	if u, err := f.store.User(f.ctx, "ops@example.com"); u != nil || err != nil {
		f.t.Fatalf("user after reset = %+v, %v", u, err)
	}
	f.wantUnknown("paris", "c-p2")

	f.apply(log...)
	for _, r := range reports {
		f.applyReports(0, r)
	}
	after := f.snapshot()
	if !slices.Equal(after.Chain, before.Chain) {
		f.t.Fatalf("audit chain differs after rebuild:\n got %q\nwant %q", after.Chain, before.Chain)
	}
	if !reflect.DeepEqual(after, before) {
		f.t.Fatalf("state differs after rebuild:\n got %+v\nwant %+v", after, before)
	}
}
