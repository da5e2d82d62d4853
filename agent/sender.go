package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// sender delivers queued reports to POST /api/report, oldest first, in
// batches. Only the sender's goroutine calls flush.
type sender struct {
	cp       *cpClient
	q        *queue
	log      *slog.Logger
	timeout  time.Duration // per POST
	maxBatch int
	batch    int // current batch size, shrunk after 400/413
	bo       *backoff
	// authWait is the wait after the token was rejected, before jitter.
	authWait time.Duration

	delivered atomic.Uint64 // reports the control plane accepted
	rejected  atomic.Uint64 // reports dropped because it refused them
}

// flush sends queued reports until the queue is empty (it returns 0) or an
// attempt fails (it returns how long to wait before trying again).
func (s *sender) flush(ctx context.Context) time.Duration {
	for s.q.len() > 0 && ctx.Err() == nil {
		batch, last := s.q.peek(s.batch)
		status, detail, err := s.post(ctx, batch)
		switch {
		case err != nil:
			wait := s.bo.next()
			s.log.Warn("control plane unreachable, reports stay queued", "queued", s.q.len(), "retry_in", wait, "error", err.Error())
			return wait
		case status >= 200 && status < 300:
			s.q.ack(last)
			s.delivered.Add(uint64(len(batch)))
			s.bo.reset()
			s.batch = min(s.batch*2, s.maxBatch)
		case authRejected(status):
			wait := s.bo.jitter(s.authWait)
			s.log.Error("control plane rejected the agent token; check --token", "status", status, "detail", detail, "retry_in", wait)
			return wait
		case status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge:
			if len(batch) > 1 {
				s.batch = max(1, len(batch)/2)
				s.log.Warn("control plane refused a report batch, splitting it", "status", status, "batch", len(batch), "detail", detail)
				continue
			}
			s.q.ack(last)
			s.rejected.Add(1)
			s.log.Warn("control plane refused a report, dropped it", "status", status, "reported_at", batch[0].ReportedAt,
				"rejected_total", s.rejected.Load(), "detail", detail)
		default:
			wait := s.bo.next()
			s.log.Warn("control plane did not accept reports, they stay queued", "status", status, "queued", s.q.len(), "retry_in", wait, "detail", detail)
			return wait
		}
	}
	return 0
}

// post sends one batch: a single report as an object, more as an array.
// It returns the response status and, for errors, the start of the body.
func (s *sender) post(ctx context.Context, batch []Report) (int, string, error) {
	var v any = batch
	if len(batch) == 1 {
		v = batch[0]
	}
	body, err := json.Marshal(v)
	if err != nil {
		return 0, "", fmt.Errorf("encode reports: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.cp.do(ctx, http.MethodPost, "/api/report", nil, body)
	if err != nil {
		return 0, "", err
	}
	defer closeBody(resp)
	var detail string
	if resp.StatusCode >= 300 {
		detail = errorDetail(resp)
	}
	return resp.StatusCode, detail, nil
}

// loop flushes whenever a report is queued, waiting between failed
// attempts, until ctx is done.
func (s *sender) loop(ctx context.Context, queued <-chan struct{}) {
	for {
		if wait := s.flush(ctx); wait > 0 {
			if !sleep(ctx.Done(), wait) {
				return
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-queued:
		}
	}
}

// finalFlush tries once more to deliver everything within ctx, without
// waiting between attempts.
func (s *sender) finalFlush(ctx context.Context) {
	if s.q.len() == 0 {
		return
	}
	if wait := s.flush(ctx); wait > 0 || s.q.len() > 0 {
		s.log.Warn("reports not delivered at shutdown", "queued", s.q.len())
		return
	}
	s.log.Info("delivered queued reports at shutdown")
}
