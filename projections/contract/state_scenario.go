package contract

import (
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

// stateScenario records a varied log without applying it: servers, peers
// with toggles and a deletion, a stale creation, a user, logins, settings,
// a rejection and an export. Commands are decided against aggregates kept
// here. It returns the log and how many audit rows it must produce.
func (f *stateFeed) scenario() (log []projections.Decoded, rows int) {
	f.t.Helper()
	servers := map[string]*domain.Server{}
	add := func(d projections.Decoded) {
		log = append(log, d)
		if domain.AggregateKindOf(d.Event.Type) != domain.AggregateServer {
			rows++
			return
		}
		s := servers[d.Event.AggregateID]
		if s == nil {
			s = &domain.Server{}
			servers[d.Event.AggregateID] = s
		}
		if s.Apply(d.Event) == nil {
			rows++
		}
	}
	must := func(p domain.Payload, err error) domain.Payload {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("scenario: %v", err)
		}
		return p
	}
	for _, id := range []string{"paris", "tokyo"} {
		add(f.record(must(domain.DecideRegisterServer(nil, domain.RegisterServer{ID: id, Endpoint: id + ".example.com:51820"})), id, 0))
	}
	create := func(id, name string) domain.WGClientCreated {
		p := must(servers[id].DecideCreatePeer(f.createPeerCmd(id, name))).(domain.WGClientCreated)
		add(f.record(p, id, servers[id].Version))
		return p
	}
	p1, p2 := create("paris", "p1"), create("paris", "p2")
	create("tokyo", "t1")
	p3 := create("paris", "p3")
	paris := servers["paris"]
	stale := must(paris.DecideCreatePeer(f.createPeerCmd("paris", "late"))) // decided, then overtaken
	add(f.record(domain.WGClientDisabled{ServerID: "paris", ClientID: p2.ClientID}, "paris", paris.Version))
	add(f.record(stale, "paris", paris.Version-1))
	add(f.record(domain.WGClientDeleted{ServerID: "paris", ClientID: p1.ClientID}, "paris", paris.Version))
	add(f.record(domain.WGClientEnabled{ServerID: "paris", ClientID: p3.ClientID}, "paris", paris.Version))
	create("paris", "p4")

	user := must(domain.DecideCreateUser(nil, domain.CreateUser{UserID: "u1", Email: "Ops@Example.com",
		Role: domain.RoleAdmin, PasswordHashSealed: []byte("h"), KeyID: "dk-u1"})).(domain.UserCreated)
	add(f.record(user, user.Email, 0))
	nanos := func() time.Time { return f.tick().Add(123456789 * time.Nanosecond) }
	add(f.recordAs(domain.LoginSucceeded{UserID: "u1", Email: user.Email}, user.Email, 0, user.Email, "2001:db8::7", nanos()))
	add(f.recordAs(domain.LoginFailed{Email: "eve@example.com", Reason: "unknown_user"}, "eve@example.com", 0,
		"eve@example.com", "192.0.2.66", nanos()))
	add(f.record(domain.SettingsChanged{Key: "report_interval", Value: "10s"}, "report_interval", 0))
	add(f.record(domain.SettingsChanged{Key: "report_interval", Value: "30s"}, "report_interval", 0))
	_, clash := servers["tokyo"].DecideCreatePeer(domain.CreatePeer{ClientID: "c-dup", Name: "t1", PublicKey: stateKey("dup")})
	add(f.record(domain.NewCommandRejected("create_peer", "tokyo/t1", clash), "tokyo/t1", 0))
	add(f.record(domain.AuditExported{Filters: map[string]string{"actor": stateAdmin}, Rows: 3}, domain.AuditLogTarget, 0))
	return log, rows
}
