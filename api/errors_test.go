package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sentrazone/sentrazone/domain"
)

func TestInternalErrorLeaksNothing(t *testing.T) {
	e := newEnv(t)
	e.state.err = fmt.Errorf("query statuses: %w", errors.New("pq: password authentication failed for user \"sentrazone\" at 10.0.0.5:5432"))
	r := e.as(t, domain.RoleUser, "GET", "/api/statuses", "").want(t, 500, CodeInternal)
	if string(r.body) != `{"error":{"code":"internal","message":"internal error"}}` {
		t.Fatalf("500 body %s", r.body)
	}
	if !strings.Contains(e.logs.String(), "10.0.0.5:5432") {
		t.Error("the internal error was not logged")
	}
}

func TestPanicIsInternalError(t *testing.T) {
	e := newEnv(t)
	e.cmd.login = func(string, string, string) (*domain.User, error) { panic("boom: secret detail") }
	r := e.do(t, "POST", "/api/login", `{"email":"a@example.com","password":"x"}`).want(t, 500, CodeInternal)
	if strings.Contains(string(r.body), "secret detail") {
		t.Fatalf("panic leaked: %s", r.body)
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	e := newEnv(t)
	e.cmd.login = func(string, string, string) (*domain.User, error) {
		return nil, fmt.Errorf("wait for projection: %w", context.DeadlineExceeded)
	}
	e.do(t, "POST", "/api/login", `{"email":"a@example.com","password":"x"}`).want(t, 503, CodeUnavailable)
}

func TestRouteErrors(t *testing.T) {
	e := newEnv(t)
	e.do(t, "GET", "/api/nothing-here", "").want(t, 404, CodeNotFound)
	e.do(t, "GET", "/", "").want(t, 404, CodeNotFound)
	e.do(t, "PUT", "/api/statuses", "").want(t, 405, CodeMethodNotAllowed)
	e.do(t, "DELETE", "/api/login", "").want(t, 405, CodeMethodNotAllowed)
	r := e.do(t, "GET", "/healthz", "")
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("nosniff header missing")
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	if b := e.do(t, "GET", "/healthz", "").want(t, 200).body; string(b) != `{"status":"ok"}` {
		t.Errorf("healthz %s", b)
	}
	e.do(t, "GET", "/readyz", "").want(t, 200)
	e.health.err = errors.New("projections 120 s behind")
	r := e.do(t, "GET", "/readyz", "").want(t, 503, CodeUnavailable)
	if !strings.Contains(r.message(t), "projections 120 s behind") {
		t.Errorf("readyz does not give the reason: %s", r.body)
	}
}

// URLs no store could hold are refused before any handler runs.
func TestURLWithControlCharactersIsBadRequest(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{
		"/api/audit?actor=%00",
		"/api/audit?action=%ff",
		"/api/audit?%00=x",
		"/api/wg-clients/srv/\xff\xfe/qrcode",
		"/api/history?server_id=a%0Ab",
	} {
		r := e.as(t, domain.RoleAdmin, "GET", path, "").want(t, 400, CodeBadRequest)
		if !strings.Contains(r.message(t), "invalid UTF-8 or a control character") {
			t.Errorf("%s: message %q", path, r.message(t))
		}
	}
	e.as(t, domain.RoleAdmin, "GET", "/api/audit?actor=%C3%BCser%40example.com", "").want(t, 200)
	// Routes see the path undecoded: %00 in a segment is the three
	// characters, which a store holds fine, and no such peer exists.
	e.as(t, domain.RoleAdmin, "GET", "/api/wg-clients/srv/%00/config", "").want(t, 404, CodeNotFound)
}
