package agent

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sentrazone/sentrazone/domain"
)

// maxConfigBytes bounds a desired config response.
const maxConfigBytes = 16 << 20

// poller long-polls GET /api/agent/config and hands every config to the
// reconciler. Each answer, even one with the version already applied, is
// reconciled: the diff is empty unless the device drifted.
type poller struct {
	cp       *cpClient
	serverID string
	rec      *reconciler
	log      *slog.Logger
	timeout  time.Duration // per long-poll request
	// minGap is the least time between two polls that bring nothing new,
	// in case the control plane answers at once instead of holding.
	minGap time.Duration
	// authWait is the wait after the token was rejected, before jitter.
	authWait time.Duration
	bo       *backoff
	fetched  bool // a config was applied since start
	// last is the last applied config and lastSum the SHA-256 of its body:
	// the control plane sends the whole config at every answer, and
	// decoding 1,000 peers allocates ~0.7 MB for a config that rarely
	// changes.
	last    *desiredState
	lastSum [sha256.Size]byte
}

// loop polls until ctx is done.
func (p *poller) loop(ctx context.Context) {
	for ctx.Err() == nil {
		if wait := p.once(ctx); wait > 0 && !sleep(ctx.Done(), wait) {
			return
		}
	}
}

// once runs one poll and returns how long to wait before the next.
func (p *poller) once(ctx context.Context) time.Duration {
	start := time.Now()
	have := p.rec.applied.Load()
	body, status, err := p.fetch(ctx, have)
	switch {
	case ctx.Err() != nil:
		return 0
	case err != nil:
		wait := p.bo.next()
		p.log.Warn("cannot fetch desired config, device stays as last applied", "retry_in", wait, "error", err.Error())
		return wait
	case authRejected(status):
		wait := p.bo.jitter(p.authWait)
		p.log.Error("control plane rejected the agent token; check --token", "status", status, "retry_in", wait)
		return wait
	case status == http.StatusNoContent || status == http.StatusNotModified:
		p.bo.reset()
		return p.minGap - time.Since(start)
	case status != http.StatusOK:
		wait := p.bo.next()
		p.log.Warn("control plane did not serve the desired config", "status", status, "retry_in", wait)
		return wait
	}
	ds, sum, err := p.desired(body)
	if err != nil {
		wait := p.bo.next()
		p.log.Error("control plane served an invalid config, ignoring it", "retry_in", wait, "error", err.Error())
		return wait
	}
	if p.fetched && ds.Version < have {
		p.log.Warn("ignoring a config older than the one applied", "version", ds.Version, "applied_version", have)
		return p.bo.next()
	}
	if err := p.rec.apply(ds); err != nil {
		wait := p.bo.next()
		p.log.Error("cannot apply desired config", "version", ds.Version, "retry_in", wait, "error", err.Error())
		return wait
	}
	if !p.fetched || ds.Version != have {
		p.log.Info("desired config applied", "version", ds.Version, "peers", len(ds.Peers))
	}
	p.fetched, p.last, p.lastSum = true, &ds, sum
	p.bo.reset()
	if ds.Version == have {
		return p.minGap - time.Since(start)
	}
	return 0
}

// desired decodes and validates a config body, or returns the last
// applied config if the body is the same.
func (p *poller) desired(body []byte) (desiredState, [sha256.Size]byte, error) {
	sum := sha256.Sum256(body)
	if p.last != nil && sum == p.lastSum {
		return *p.last, sum, nil
	}
	var cfg domain.AgentConfig
	if err := json.Unmarshal(body, &cfg); err != nil {
		return desiredState{}, sum, fmt.Errorf("decode desired config: %w", err)
	}
	ds, err := parseDesired(cfg, p.serverID)
	return ds, sum, err
}

// fetch asks for a config newer than version. On 200 it returns the body.
func (p *poller) fetch(ctx context.Context, version int64) ([]byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	q := url.Values{"version": {strconv.FormatInt(version, 10)}, "server_id": {p.serverID}}
	resp, err := p.cp.do(ctx, http.MethodGet, "/api/agent/config", q, nil)
	if err != nil {
		return nil, 0, err
	}
	defer closeBody(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, nil
	}
	// The whole body in one buffer of its announced size: a config of
	// 1,000 peers is ~200 KB, and it comes at every long-poll answer.
	var body []byte
	if n := resp.ContentLength; n > 0 && n <= maxConfigBytes {
		body = make([]byte, n)
		_, err = io.ReadFull(resp.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxConfigBytes))
	}
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("read desired config: %w", err)
	}
	return body, resp.StatusCode, nil
}
