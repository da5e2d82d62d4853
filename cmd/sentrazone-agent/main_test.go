package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/agent/agenttest"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes and reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunStopsOnSIGTERM runs the whole command with a userspace device in
// its own namespaces and checks SIGTERM ends it, cleanly, within 5 s, and
// that neither the private key nor the token shows up in the logs.
func TestRunStopsOnSIGTERM(t *testing.T) {
	if !agenttest.Isolated(t) {
		return
	}
	const token = "tok-7c1e9b5f0a"
	var reports atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/api/report":
			body, _ := io.ReadAll(r.Body)
			n := int64(1)
			if bytes.HasPrefix(body, []byte("[")) {
				var batch []json.RawMessage
				_ = json.Unmarshal(body, &batch)
				n = int64(len(batch))
			}
			reports.Add(n)
			w.WriteHeader(http.StatusAccepted)
		case "/api/agent/config":
			if r.URL.Query().Get("version") != "0" {
				<-r.Context().Done() // hold: nothing new
				return
			}
			fmt.Fprint(w, `{"server_id":"la","version":1,"address":"10.8.0.1/24","peers":[]}`)
		}
	}))
	defer srv.Close()
	dir, iface := t.TempDir(), fmt.Sprintf("szt%d", rand.IntN(1_000_000_000))
	args := []string{"--control-plane", srv.URL, "--server-id", "la", "--userspace", "--interval", "1s",
		"--interface", iface, "--state-dir", dir, "--log-level", "debug"}
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(args, func(k string) string { return map[string]string{"SENTRAZONE_AGENT_TOKEN": token}[k] }, &stderr)
	}()

	deadline := time.Now().Add(15 * time.Second)
	for reports.Load() == 0 {
		select {
		case code := <-done:
			t.Fatalf("agent exited early with %d:\n%s", code, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report within 15 s:\n%s", stderr.String())
		}
	}
	start := time.Now()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK || time.Since(start) > 5*time.Second {
			t.Fatalf("exit code %d after %v:\n%s", code, time.Since(start), stderr.String())
		}
	case <-time.After(6 * time.Second):
		t.Fatalf("agent still running 6 s after SIGTERM:\n%s", stderr.String())
	}
	logs := stderr.String()
	key, err := os.ReadFile(filepath.Join(dir, iface+".key"))
	if err != nil {
		t.Fatalf("private key file: %v", err)
	}
	if strings.Contains(logs, strings.TrimSpace(string(key))) || strings.Contains(logs, token) {
		t.Fatal("the logs contain the private key or the token")
	}
	for _, want := range []string{`"msg":"signal received, shutting down"`, `"msg":"agent stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}
