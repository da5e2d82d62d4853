package contract

import (
	"maps"

	"github.com/sentrazone/sentrazone/domain"
)

// stateUsers: users are found by email in any case and listed by email; a
// second creation of the same email is stale.
func stateUsers(f *stateFeed) {
	admin := f.createUser("Admin@Example.com", domain.RoleAdmin)
	f.createUser("bob@example.com", domain.RoleUser)
	dup, err := domain.DecideCreateUser(nil, domain.CreateUser{UserID: "u-dup", Email: "ADMIN@example.com",
		Role: domain.RoleUser, PasswordHashSealed: []byte("x"), KeyID: "dk-x"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.do(dup, dup.Email, 0)

	for _, email := range []string{"admin@example.com", "ADMIN@EXAMPLE.COM", "Admin@Example.com"} {
		u, err := f.store.User(f.ctx, email)
		if err != nil || u == nil || u.UserID != admin.UserID || u.Email != "admin@example.com" || u.Role != domain.RoleAdmin ||
			u.KeyID != admin.KeyID || string(u.PasswordHashSealed) != "sealed-hash" || u.Version != 1 {
			f.t.Fatalf("user %q = %+v, %v", email, u, err)
		}
	}
	if u, err := f.store.User(f.ctx, "nobody@example.com"); u != nil || err != nil {
		f.t.Fatalf("unknown user = %+v, %v", u, err)
	}
	users, err := f.store.Users(f.ctx)
	if err != nil || len(users) != 2 || users[0].User.Email != "admin@example.com" || users[1].User.Email != "bob@example.com" ||
		!sameTime(users[0].CreatedAt, f.events[0].Event.OccurredAt) || !sameTime(users[1].CreatedAt, f.events[1].Event.OccurredAt) {
		f.t.Fatalf("users = %+v, %v", users, err)
	}
	f.wantActions(f.chain(), "user_created admin@example.com", "user_created bob@example.com")
}

// stateSettings: the last value of a key wins; every change is audited.
func stateSettings(f *stateFeed) {
	set := func(k, v string) { f.do(domain.SettingsChanged{Key: k, Value: v}, k, 0) }
	set("report_interval", "10s")
	set("retention", "72h")
	set("report_interval", "30s")
	got, err := f.store.Settings(f.ctx)
	if want := map[string]string{"report_interval": "30s", "retention": "72h"}; err != nil || !maps.Equal(got, want) {
		f.t.Fatalf("settings = %v, %v; want %v", got, err, want)
	}
	f.wantActions(f.chain(), "settings_changed report_interval", "settings_changed retention",
		"settings_changed report_interval")
}

// stateObservations: unversioned events are always audited with their own
// actor and address; a report on the events topic is ignored, and so is a
// second copy of an event (same id) at a later offset.
func stateObservations(f *stateFeed) {
	f.recordAs(domain.LoginSucceeded{UserID: "u1", Email: "ops@example.com"}, "ops@example.com", 0,
		"ops@example.com", "2001:db8::1", f.tick())
	f.recordAs(domain.LoginFailed{Email: "eve@example.com", Reason: "bad_password"}, "eve@example.com", 0,
		"eve@example.com", "192.0.2.9", f.tick())
	f.record(domain.ServerReported{ServerID: "srv", ReportedAt: f.clock}, "srv", 0)
	f.record(domain.NewCommandRejected("create_peer", "srv/alice", nil), "srv/alice", 0)
	f.recordAs(domain.AuditExported{Rows: 2}, domain.AuditLogTarget, 0, domain.ActorSystem, "", f.tick())
	f.apply(f.events...)
	// A producer retry appends an event twice: the copy is not applied.
	setA := f.do(domain.SettingsChanged{Key: "mode", Value: "a"}, "mode", 0)
	f.do(domain.SettingsChanged{Key: "mode", Value: "b"}, "mode", 0)
	dup := setA
	dup.Offset = int64(len(f.events))
	f.events = append(f.events, dup)
	f.apply(dup)
	if got, err := f.store.Settings(f.ctx); err != nil || got["mode"] != "b" {
		f.t.Fatalf("settings = %v, %v; want mode=b", got, err)
	}

	rows := f.chain()
	f.wantActions(rows, "login_succeeded ops@example.com", "login_failed eve@example.com",
		"command_rejected srv/alice", "audit_exported audit_log", "settings_changed mode", "settings_changed mode")
	if rows[0].Actor != "ops@example.com" || rows[0].IP != "2001:db8::1" || rows[1].IP != "192.0.2.9" ||
		rows[3].Actor != domain.ActorSystem || rows[3].IP != "" {
		f.t.Fatalf("rows = %+v", rows)
	}
	f.wantEventsOffset(8)
	if sts := f.statuses(); len(sts) != 0 {
		f.t.Fatalf("statuses = %+v, want none", sts)
	}
}
