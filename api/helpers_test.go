package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/projections"
)

var (
	testNow    = time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	testSecret = []byte("0123456789abcdef0123456789abcdef")
)

// testClock is a movable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is an app wired to fakes.
type env struct {
	app     *fiber.App
	cmd     *fakeCommands
	state   *fakeState
	reports *fakeReports
	history *fakeHistory
	health  *fakeHealth
	clock   *testClock
	logs    *syncBuffer
}

func newEnv(t testing.TB, mutate ...func(*Config)) *env {
	t.Helper()
	e := &env{
		cmd:     &fakeCommands{},
		state:   &fakeState{servers: map[string]projections.ServerView{}, peers: map[string][]projections.PeerView{}},
		reports: &fakeReports{},
		history: &fakeHistory{},
		health:  &fakeHealth{},
		clock:   &testClock{t: testNow},
		logs:    &syncBuffer{},
	}
	cfg := Config{
		Commands: e.cmd, Reports: e.reports, State: e.state, History: e.history, Health: e.health,
		JWTSecret: testSecret, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	app, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.app = app
	return e
}

// signToken signs claims for a user with the given role at the clock's
// time, valid for 24 h.
func (e *env) token(role domain.Role) string {
	now := e.clock.Now()
	return signWith(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{
		"sub": "user-1", "email": string(role) + "@example.com", "role": string(role),
		"iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix(), "jti": "jti-1",
	})
}

func signWith(m jwt.SigningMethod, key any, cl jwt.MapClaims) string {
	s, err := jwt.NewWithClaims(m, cl).SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

// resp is a finished response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; hdr holds header name/value pairs.
func (e *env) do(t *testing.T, method, path, body string, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.app.Test(req, 20000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// as sends a request with a token of role.
func (e *env) as(t *testing.T, role domain.Role, method, path, body string) resp {
	t.Helper()
	return e.do(t, method, path, body, "Authorization", "Bearer "+e.token(role))
}

// want fails unless the status is status; with a code, the body must be
// the error shape with that code.
func (r resp) want(t *testing.T, status int, code ...string) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if len(code) > 0 {
		var eb struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error.Message == "" {
			t.Fatalf("body is not the error shape: %s (%v)", r.body, err)
		}
		if eb.Error.Code != code[0] {
			t.Fatalf("error code %q, want %q; body %s", eb.Error.Code, code[0], r.body)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("error Content-Type %q", ct)
		}
	}
	return r
}

// message returns the error message of an error body.
func (r resp) message(t *testing.T) string {
	t.Helper()
	var eb struct {
		Error struct{ Message string } `json:"error"`
	}
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("not an error body: %s", r.body)
	}
	return eb.Error.Message
}

// decode unmarshals the body into v.
func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// keysOf returns an object's keys, sorted.
func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}
