package agent_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/agent"
	"github.com/sentrazone/sentrazone/domain"
)

const (
	fakeToken = "agent-token-for-tests"
	// fakeHold is how long the fake control plane holds a long-poll that
	// has nothing new (the real one holds ~30 s).
	fakeHold = 300 * time.Millisecond
)

// fakeCP is a control plane on 127.0.0.1 that serves desired configs by
// long-poll and records accepted reports. It can fail (503) or go away and
// come back on the same address.
type fakeCP struct {
	t    *testing.T
	addr string
	URL  *url.URL

	mu      sync.Mutex
	srv     *httptest.Server
	cfg     domain.AgentConfig
	changed chan struct{} // closed when cfg changes
	failing bool
	reports []agent.Report
}

func newFakeCP(t *testing.T, cfg domain.AgentConfig) *fakeCP {
	cp := &fakeCP{t: t, cfg: cfg, changed: make(chan struct{})}
	cp.srv = httptest.NewServer(cp)
	cp.addr = cp.srv.Listener.Addr().String()
	cp.URL, _ = url.Parse(cp.srv.URL)
	t.Cleanup(cp.stop)
	return cp
}

func (cp *fakeCP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+fakeToken {
		http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/report":
		cp.report(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/agent/config":
		cp.config(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (cp *fakeCP) report(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var batch []agent.Report
	var err error
	if bytes.HasPrefix(body, []byte("[")) {
		err = json.Unmarshal(body, &batch)
	} else {
		var one agent.Report
		err = json.Unmarshal(body, &one)
		batch = []agent.Report{one}
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	switch {
	case cp.failing:
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
	default:
		cp.reports = append(cp.reports, batch...)
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]int{"accepted": len(batch)})
	}
}

func (cp *fakeCP) config(w http.ResponseWriter, r *http.Request) {
	have, _ := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	cp.mu.Lock()
	cfg, changed, failing := cp.cfg, cp.changed, cp.failing
	cp.mu.Unlock()
	if failing {
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	if cfg.Version <= have {
		select {
		case <-changed:
		case <-time.After(fakeHold):
		case <-r.Context().Done():
			return
		}
		cp.mu.Lock()
		cfg = cp.cfg
		cp.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(cfg)
}

// setConfig publishes a new desired config and wakes long-polls.
func (cp *fakeCP) setConfig(cfg domain.AgentConfig) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.cfg = cfg
	close(cp.changed)
	cp.changed = make(chan struct{})
}

func (cp *fakeCP) setFailing(f bool) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.failing = f
}

// accepted returns a copy of the reports accepted so far, in arrival order.
func (cp *fakeCP) accepted() []agent.Report {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]agent.Report(nil), cp.reports...)
}

// stop closes the server: connections are refused until restart.
func (cp *fakeCP) stop() {
	cp.mu.Lock()
	srv := cp.srv
	cp.srv = nil
	cp.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// restart serves again on the same address.
func (cp *fakeCP) restart() {
	l, err := net.Listen("tcp", cp.addr)
	if err != nil {
		cp.t.Fatalf("listen again on %s: %v", cp.addr, err)
	}
	srv := httptest.NewUnstartedServer(cp)
	srv.Listener = l
	srv.Start()
	cp.mu.Lock()
	cp.srv = srv
	cp.mu.Unlock()
}
