package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// reportSink is a fake /api/report: decide picks the status for a batch.
type reportSink struct {
	mu       sync.Mutex
	batches  [][]Report
	accepted []Report
	decide   func(batch []Report) int
}

func (s *reportSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/api/report" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var batch []Report
	if bytes.HasPrefix(body, []byte("[")) {
		_ = json.Unmarshal(body, &batch)
	} else {
		var one Report
		_ = json.Unmarshal(body, &one)
		batch = []Report{one}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, batch)
	status := http.StatusAccepted
	if s.decide != nil {
		status = s.decide(batch)
	}
	if status == http.StatusAccepted {
		s.accepted = append(s.accepted, batch...)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"error":"x"}`)
}

// last returns the last report accepted, if any.
func (s *reportSink) last() (Report, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.accepted) == 0 {
		return Report{}, false
	}
	return s.accepted[len(s.accepted)-1], true
}

func newTestSender(t *testing.T, sink *reportSink, maxBatch int) *sender {
	t.Helper()
	srv := httptest.NewServer(sink)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return &sender{
		cp: &cpClient{base: u, token: "tok", http: srv.Client()}, q: newQueue(100),
		log: slog.New(slog.DiscardHandler), timeout: 5 * time.Second,
		maxBatch: maxBatch, batch: maxBatch, bo: newBackoff(time.Millisecond, 10*time.Millisecond), authWait: time.Minute,
	}
}

func fill(s *sender, n int) {
	for i := 1; i <= n; i++ {
		s.q.push(reportAt(i))
	}
}

func TestSenderDeliversInOrderInBatches(t *testing.T) {
	sink := &reportSink{}
	s := newTestSender(t, sink, 3)
	fill(s, 7)
	if wait := s.flush(context.Background()); wait != 0 {
		t.Fatalf("flush wait = %v", wait)
	}
	var sizes []int64
	for _, b := range sink.batches {
		sizes = append(sizes, int64(len(b)))
	}
	if !equal(sizes, []int64{3, 3, 1}) || !equal(seconds(sink.accepted), []int64{1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("batches %v, accepted %v", sizes, seconds(sink.accepted))
	}
	if s.q.len() != 0 || s.delivered.Load() != 7 {
		t.Fatalf("queue %d, delivered %d", s.q.len(), s.delivered.Load())
	}
}

func TestSenderKeepsReportsOnServerErrorAndBadToken(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusUnauthorized, http.StatusForbidden} {
		sink := &reportSink{decide: func([]Report) int { return status }}
		s := newTestSender(t, sink, 10)
		fill(s, 3)
		wait := s.flush(context.Background())
		if wait <= 0 || s.q.len() != 3 || len(sink.batches) != 1 {
			t.Fatalf("status %d: wait %v, queued %d, posts %d", status, wait, s.q.len(), len(sink.batches))
		}
		if authRejected(status) && (wait < 30*time.Second || wait > time.Minute) {
			t.Fatalf("status %d: wait %v, want the slow auth wait in [30s, 1m]", status, wait)
		}
		sink.decide = nil
		if s.flush(context.Background()) != 0 || !equal(seconds(sink.accepted), []int64{1, 2, 3}) {
			t.Fatalf("status %d: after recovery accepted %v", status, seconds(sink.accepted))
		}
	}
}

func TestSenderSplitsTooLargeBatches(t *testing.T) {
	sink := &reportSink{decide: func(b []Report) int {
		if len(b) > 2 {
			return http.StatusRequestEntityTooLarge
		}
		return http.StatusAccepted
	}}
	s := newTestSender(t, sink, 8)
	fill(s, 8)
	if wait := s.flush(context.Background()); wait != 0 {
		t.Fatalf("wait %v", wait)
	}
	if !equal(seconds(sink.accepted), []int64{1, 2, 3, 4, 5, 6, 7, 8}) || s.rejected.Load() != 0 {
		t.Fatalf("accepted %v, rejected %d", seconds(sink.accepted), s.rejected.Load())
	}
}

func TestSenderDropsAPoisonedReport(t *testing.T) {
	sink := &reportSink{decide: func(b []Report) int {
		for _, r := range b {
			if r.ReportedAt.Unix() == 5 {
				return http.StatusBadRequest
			}
		}
		return http.StatusAccepted
	}}
	s := newTestSender(t, sink, 4)
	fill(s, 9)
	if wait := s.flush(context.Background()); wait != 0 {
		t.Fatalf("wait %v", wait)
	}
	if !equal(seconds(sink.accepted), []int64{1, 2, 3, 4, 6, 7, 8, 9}) || s.rejected.Load() != 1 || s.q.len() != 0 {
		t.Fatalf("accepted %v, rejected %d, queued %d", seconds(sink.accepted), s.rejected.Load(), s.q.len())
	}
	if len(sink.batches) > 12 {
		t.Fatalf("%d posts for 9 reports", len(sink.batches))
	}
}

func TestSenderUnreachable(t *testing.T) {
	sink := &reportSink{}
	s := newTestSender(t, sink, 4)
	s.cp.base, _ = url.Parse("http://127.0.0.1:1")
	fill(s, 2)
	if wait := s.flush(context.Background()); wait <= 0 || s.q.len() != 2 {
		t.Fatalf("wait %v, queued %d", wait, s.q.len())
	}
}
