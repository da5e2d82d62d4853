package api

import (
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

func TestRegisterAndListServers(t *testing.T) {
	e := newEnv(t)
	e.cmd.registerServer = func(a Actor, s NewServer) (projections.ServerView, string, error) {
		if s.ID == "taken" {
			return projections.ServerView{}, "", &domain.Error{Kind: domain.KindConflict, Message: "server exists"}
		}
		if s.Endpoint == "" {
			return projections.ServerView{}, "", &domain.Error{Kind: domain.KindInvalid, Message: "endpoint is invalid"}
		}
		return projections.ServerView{ID: s.ID, Name: s.Name, Endpoint: s.Endpoint, Subnet: "10.8.0.0/24",
			DNS: "1.1.1.1", RegisteredAt: testNow}, "tok-once", nil
	}
	r := e.as(t, domain.RoleAdmin, "POST", "/api/servers",
		`{"id":"tokyo","name":"Tokyo","endpoint":"tokyo.example.com:51820","subnet":"","dns":""}`).want(t, 201)
	var got map[string]any
	r.decode(t, &got)
	if keysOf(got) != "agent_token,dns,endpoint,id,listen_port,name,public_key,registered_at,subnet" ||
		got["agent_token"] != "tok-once" || got["public_key"] != nil || got["listen_port"] != nil ||
		got["registered_at"] != "2026-05-06T12:00:00Z" {
		t.Fatalf("registered %s", r.body)
	}
	e.as(t, domain.RoleAdmin, "POST", "/api/servers", `{"id":"taken","endpoint":"x:1"}`).want(t, 409, CodeConflict)
	e.as(t, domain.RoleAdmin, "POST", "/api/servers", `{"id":"x"}`).want(t, 400, CodeInvalid)
	e.as(t, domain.RoleAdmin, "POST", "/api/servers", `{"id":"x","token":"mine"}`).want(t, 400, CodeBadRequest)

	withServer(e)
	r = e.as(t, domain.RoleAdmin, "GET", "/api/servers", "").want(t, 200)
	var list []map[string]any
	r.decode(t, &list)
	if len(list) != 1 || keysOf(list[0]) != "dns,endpoint,id,listen_port,name,public_key,registered_at,subnet" ||
		list[0]["public_key"] != testServerKey || list[0]["listen_port"] != 51820.0 {
		t.Fatalf("servers %s", r.body)
	}
}

func TestCreateAndListUsers(t *testing.T) {
	e := newEnv(t)
	e.cmd.createUser = func(a Actor, email, password string, role domain.Role) (projections.UserView, error) {
		if role != domain.RoleAdmin && role != domain.RoleUser {
			return projections.UserView{}, &domain.Error{Kind: domain.KindInvalid, Message: "role is invalid"}
		}
		return projections.UserView{User: domain.User{UserID: "u7", Email: email, Role: role}, CreatedAt: testNow}, nil
	}
	r := e.as(t, domain.RoleAdmin, "POST", "/api/users", `{"email":"ops@example.com","password":"hunter2-long","role":"user"}`).want(t, 201)
	var got map[string]any
	r.decode(t, &got)
	if keysOf(got) != "created_at,email,id,role" || got["id"] != "u7" || got["role"] != "user" {
		t.Fatalf("user %s", r.body)
	}
	e.as(t, domain.RoleAdmin, "POST", "/api/users", `{"email":"x@example.com","password":"hunter2-long","role":"root"}`).want(t, 400, CodeInvalid)
	e.as(t, domain.RoleAdmin, "POST", "/api/users", `{"email":"x@example.com","password":12345678,"role":"user"}`).want(t, 400, CodeBadRequest)
	if strings.Contains(e.logs.String(), "hunter2") {
		t.Error("a password was logged")
	}

	e.state.users = []projections.UserView{{User: domain.User{UserID: "u1", Email: "a@example.com", Role: domain.RoleAdmin,
		PasswordHashSealed: []byte("sealed")}, CreatedAt: testNow.Add(-time.Hour)}}
	r = e.as(t, domain.RoleAdmin, "GET", "/api/users", "").want(t, 200)
	var list []map[string]any
	r.decode(t, &list)
	if len(list) != 1 || keysOf(list[0]) != "created_at,email,id,role" || strings.Contains(string(r.body), "sealed") {
		t.Fatalf("users %s", r.body)
	}
}
