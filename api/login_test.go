package api

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
)

func loginAs(e *env, password string) {
	e.cmd.login = func(_, email, pw string) (*domain.User, error) {
		if pw != password {
			return nil, fmt.Errorf("check password: %w", ingest.ErrBadCredentials)
		}
		return &domain.User{UserID: "u1", Email: email, Role: domain.RoleUser}, nil
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	loginAs(e, "correct-horse")
	r := e.do(t, "POST", "/api/login", `{"email":"a@example.com","password":"correct-horse"}`).want(t, 200)
	var m map[string]any
	r.decode(t, &m)
	if keysOf(m) != "token" || m["token"] == "" {
		t.Fatalf("login body %s", r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}

	wrong := e.do(t, "POST", "/api/login", `{"email":"a@example.com","password":"s3cret-guess"}`).want(t, 401, CodeUnauthorized)
	e.cmd.login = func(_, _, _ string) (*domain.User, error) { return nil, ingest.ErrBadCredentials }
	unknown := e.do(t, "POST", "/api/login", `{"email":"nobody@example.com","password":"x"}`).want(t, 401, CodeUnauthorized)
	if string(wrong.body) != string(unknown.body) {
		t.Errorf("unknown email and wrong password answer differently:\n%s\n%s", wrong.body, unknown.body)
	}
	if strings.Contains(e.logs.String(), "s3cret-guess") {
		t.Error("a password was logged")
	}

	for body, code := range map[string]string{
		`{"email":"a@example.com"}`:                      CodeBadRequest,
		`{"email":1,"password":"x"}`:                     CodeBadRequest,
		`{"email":"a@example.com","password":"x","x":1}`: CodeBadRequest,
		`{"email":`: CodeBadRequest,
		`[]`:        CodeBadRequest,
	} {
		e.do(t, "POST", "/api/login", body).want(t, 400, code)
	}
	e.do(t, "POST", "/api/login", "").want(t, 400, CodeBadRequest)
}

func TestLoginRateLimitPerIP(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginPerIP, c.LoginPerEmail = 3, 100 })
	loginAs(e, "pw")
	for i := range 3 {
		e.do(t, "POST", "/api/login", fmt.Sprintf(`{"email":"u%d@example.com","password":"bad"}`, i)).want(t, 401)
	}
	r := e.do(t, "POST", "/api/login", `{"email":"other@example.com","password":"pw"}`).want(t, 429, CodeRateLimited)
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 20 {
		t.Fatalf("Retry-After %q: want 1..20 s (3 per minute refill one every 20 s)", r.header.Get("Retry-After"))
	}
	e.clock.Advance(time.Duration(ra) * time.Second)
	e.do(t, "POST", "/api/login", `{"email":"other@example.com","password":"pw"}`).want(t, 200)
}

func TestLoginRateLimitPerEmail(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginPerIP, c.LoginPerEmail = 100, 2 })
	loginAs(e, "pw")
	for range 2 {
		e.do(t, "POST", "/api/login", `{"email":"victim@example.com","password":"bad"}`).want(t, 401)
	}
	r := e.do(t, "POST", "/api/login", `{"email":" Victim@Example.com ","password":"pw"}`).want(t, 429, CodeRateLimited)
	if r.header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After %q, want 30 (2 per minute)", r.header.Get("Retry-After"))
	}
	// The first refusal is recorded, the ones after it are not.
	e.do(t, "POST", "/api/login", `{"email":"victim@example.com","password":"pw"}`).want(t, 429, CodeRateLimited)
	if got := e.cmd.throttled; len(got) != 1 || !strings.HasSuffix(got[0], " Victim@Example.com ") {
		t.Errorf("throttled logins recorded: %q, want one for the email as typed", got)
	}
	e.do(t, "POST", "/api/login", `{"email":"someone@example.com","password":"pw"}`).want(t, 200)
}

func TestKeyedLimiterBoundsMemory(t *testing.T) {
	l := newKeyedLimiter(5, 100)
	now := testNow
	for i := range 1000 {
		if d, _ := l.take(fmt.Sprint("k", i), now); d != 0 {
			t.Fatalf("first take of a new key waited %v", d)
		}
	}
	if n := l.size(); n > 100 {
		t.Fatalf("%d keys live, cap 100", n)
	}
	for range 5 {
		l.take("hot", now)
	}
	if d, first := l.take("hot", now); d == 0 || !first {
		t.Fatalf("sixth take within a minute: wait %v, first refusal %v; want a wait, first", d, first)
	}
	if d, first := l.take("hot", now); d == 0 || first {
		t.Fatalf("seventh take: wait %v, first refusal %v; want a wait, not first", d, first)
	}
	if d, _ := l.take("hot", now.Add(13*time.Second)); d != 0 {
		t.Fatalf("a token refilled after 12 s, yet take waited %v", d)
	}
	if d, first := l.take("hot", now.Add(13*time.Second)); d == 0 || !first {
		t.Fatalf("refusal after a success: wait %v, first %v; want first again", d, first)
	}
	// After a full refill every bucket is idle and swept.
	l.take("late", now.Add(2*time.Minute))
	if n := l.size(); n != 1 {
		t.Fatalf("%d keys live after sweep, want 1", n)
	}
}

func TestLimiterBuckets(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:192.0.2.7":     "::ffff:192.0.2.7",
		"not-an-address":       "not-an-address",
		"fe80::1%eth0":         "fe80::/64",
	} {
		if got := ipBucket(in); got != want {
			t.Errorf("ipBucket(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("a", 1<<20) + "@example.com"
	if got := emailBucket(long); len(got) != domain.MaxEmailLen {
		t.Errorf("emailBucket of a 1 MiB email has %d bytes, want %d", len(got), domain.MaxEmailLen)
	}
	if got := emailBucket(" Victim@Example.com "); got != "victim@example.com" {
		t.Errorf("emailBucket = %q", got)
	}
}
