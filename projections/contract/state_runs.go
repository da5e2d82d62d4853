package contract

import (
	"slices"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// stateRegistrationRun: a batch of registrations and observations, as a
// fleet's first reports and its admins' logins put on the log, applies as
// event by event would: a second registration of a server, one with an
// invalid subnet and a stale one change nothing and get no audit row, and
// the audit rows chain in log order. A second copy of an observation (a
// producer's retry) in a later batch gets no row and takes nothing from
// the events around it. Delivered again, the batches change nothing.
func stateRegistrationRun(f *stateFeed) {
	reg := func(id, name, subnet string, seen int64) projections.Decoded {
		return f.record(domain.ServerRegistered{ServerID: id, Name: name, Endpoint: id + ".example.com:51820",
			Subnet: subnet, DNS: "1.1.1.1"}, id, seen)
	}
	first := []projections.Decoded{reg("a", "first a", "10.8.0.0/24", 0)}
	login := f.recordAs(domain.LoginFailed{Email: "x@example.com", Reason: "bad_password"}, "x@example.com", 0,
		"x@example.com", "192.0.2.1", f.tick())
	first = append(first, login,
		reg("a", "second a", "10.9.0.0/24", 0),
		reg("b", "broken b", "not-a-subnet", 0),
		reg("b", "b", "10.10.0.0/24", 0),
		reg("c", "stale c", "10.11.0.0/24", 1),
		f.record(domain.SettingsChanged{Key: "theme", Value: "dark"}, "settings", 0),
		reg("d", "d", "10.12.0.7/24", 0),
		reg("e", "e", "10.13.0.0/24", 0),
	)
	f.apply(first...)
	audited := []projections.Decoded{first[0], first[1], first[4], first[6], first[7], first[8]}
	want := []string{"server_registered a", "login_failed x@example.com", "server_registered b",
		"settings_changed theme", "server_registered d", "server_registered e"}
	f.wantRun(audited, want)

	second := []projections.Decoded{reg("f", "f", "10.14.0.0/24", 0)}
	again := login
	again.Offset = int64(len(f.events))
	f.events = append(f.events, again)
	second = append(second, again, reg("g", "g", "10.15.0.0/24", 0))
	f.apply(second...)
	audited = append(audited, second[0], second[2])
	want = append(want, "server_registered f", "server_registered g")
	f.wantRun(audited, want)

	for id, name := range map[string]string{"a": "first a", "b": "b", "d": "d", "e": "e", "f": "f", "g": "g"} {
		if s := f.server(id); s.Name != name || s.Version != 1 {
			f.t.Fatalf("server %s = %q at version %d, want %q at 1", id, s.Name, s.Version, name)
		}
	}
	if s := f.server("d"); s.Subnet.String() != "10.12.0.0/24" {
		f.t.Fatalf("server d subnet = %s, want 10.12.0.0/24", s.Subnet)
	}
	if s, err := f.store.Server(f.ctx, "c"); s != nil || err != nil {
		f.t.Fatalf("stale server c = %+v, %v", s, err)
	}
	got, err := f.store.RegisteredServers(f.ctx, []string{"g", "c", "a", "nobody", "a", "e"})
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"a", "e", "g"}) {
		f.t.Fatalf("registered among g c a nobody a e = %q, %v; want a e g", got, err)
	}
	if got, err := f.store.RegisteredServers(f.ctx, nil); err != nil || len(got) != 0 {
		f.t.Fatalf("registered among none = %q, %v", got, err)
	}

	chain := f.chain()
	f.apply(append(first, second...)...)
	if got := f.chain(); len(got) != len(chain) || rowKey(got[len(got)-1]) != rowKey(chain[len(chain)-1]) {
		f.t.Fatalf("redelivery changed the audit log: %d rows, had %d", len(got), len(chain))
	}
}

// wantRun checks that the audit rows are those of audited, with these
// actions, chained, and that the events offset is past the whole log.
func (f *stateFeed) wantRun(audited []projections.Decoded, actions []string) {
	f.t.Helper()
	chain := f.chain()
	f.wantActions(chain, actions...)
	for i, r := range chain {
		if want := audited[i].Event.ID.String(); r.EventID != want {
			f.t.Fatalf("audit row %d is of event %s, want %s (offset %d)", r.ID, r.EventID, want, audited[i].Offset)
		}
	}
	if n, err := projections.VerifyAuditChain(f.ctx, f.store); err != nil || n != int64(len(actions)) {
		f.t.Fatalf("verify = %d, %v; want %d rows", n, err, len(actions))
	}
	f.wantEventsOffset(int64(len(f.events)))
}
