package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"
)

// prober measures freshness: every probeEvery it sends one report for a
// probe server (ids nobody else reports for) carrying a unique marker, as
// ping_ms and as transfer_rx, and polls /api/statuses and /api/history until
// the marker shows. The delay is from the 202 to the end of the first poll
// that showed it, so it includes up to one poll period and one poll's
// latency (both printed).
type prober struct {
	c        *client
	admin    string
	ids      []string
	tokens   []string // agent token of each probe server
	every    time.Duration
	poll     time.Duration
	history  bool
	mu       sync.Mutex
	pending  []*probe
	seq      int
	sent     int
	toStatus latencies
	toHist   latencies
	statPoll latencies
	histPoll latencies
}

type probe struct {
	server     string
	marker     uint64
	accepted   time.Time
	seenStatus bool
	seenHist   bool
}

func newProber(c *client, admin string, ids, tokens []string, o reportOpts) *prober {
	return &prober{c: c, admin: admin, ids: ids, tokens: tokens, every: o.probeEvery, poll: o.pollEvery, history: o.history}
}

// run sends probes and polls until ctx ends.
func (p *prober) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { p.pollLoop(ctx, p.pollStatuses) })
	if p.history {
		wg.Go(func() { p.pollLoop(ctx, p.pollHistory) })
	}
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			p.send()
		}
	}
}

// send reports one probe; the marker is unique over the run.
func (p *prober) send() {
	p.mu.Lock()
	p.seq++
	i := p.seq % len(p.ids)
	marker := uint64(1_000_000 + p.seq)
	p.mu.Unlock()
	body := appendReport(nil, p.ids[i], float64(marker), 0, marker, 0, time.Time{})
	st, _, err := p.c.do("POST", "/api/report", p.tokens[i], body, nil)
	if err != nil || st != 202 {
		return
	}
	p.mu.Lock()
	p.sent++
	p.pending = append(p.pending, &probe{server: p.ids[i], marker: marker, accepted: time.Now()})
	p.mu.Unlock()
}

// finish keeps polling after the load until every probe was seen or
// settle passed.
func (p *prober) finish(ctx context.Context, settle time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, settle)
	defer cancel()
	t := time.NewTicker(p.poll)
	defer t.Stop()
	for !p.done() {
		_ = p.pollStatuses()
		if p.history {
			_ = p.pollHistory()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *prober) done() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pb := range p.pending {
		if !pb.seenStatus || (p.history && !pb.seenHist) {
			return false
		}
	}
	return true
}

func (p *prober) pollLoop(ctx context.Context, poll func() error) {
	t := time.NewTicker(p.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = poll()
		}
	}
}

// pollStatuses reads every status once and resolves the probes it shows.
func (p *prober) pollStatuses() error {
	t0 := time.Now()
	st, b, err := p.c.do("GET", "/api/statuses", p.admin, nil, nil)
	if err != nil || st != 200 {
		return fmt.Errorf("poll statuses: %d %v", st, err)
	}
	seen := time.Now()
	p.statPoll.add(seen.Sub(t0))
	var rows []struct {
		ServerID string   `json:"server_id"`
		PingMS   *float64 `json:"ping_ms"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return err
	}
	ping := make(map[string]float64, len(p.ids))
	for _, r := range rows {
		if r.PingMS != nil && strings.Contains(r.ServerID, "probe-") {
			ping[r.ServerID] = *r.PingMS
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pb := range p.pending {
		// A later probe of the same server also proves this one visible.
		if !pb.seenStatus && ping[pb.server] >= float64(pb.marker) {
			pb.seenStatus = true
			p.toStatus.add(seen.Sub(pb.accepted))
		}
	}
	return nil
}

// pollHistory reads the last minutes of the probe servers at a 1s step.
func (p *prober) pollHistory() error {
	q := url.Values{}
	for _, id := range p.ids {
		q.Add("server_id", id)
	}
	now := time.Now().UTC()
	q.Set("from", now.Add(-5*time.Minute).Format(time.RFC3339))
	q.Set("step", "1s")
	t0 := time.Now()
	st, b, err := p.c.do("GET", "/api/history?"+q.Encode(), p.admin, nil, nil)
	if err != nil || st != 200 {
		return fmt.Errorf("poll history: %d %v", st, err)
	}
	seen := time.Now()
	p.histPoll.add(seen.Sub(t0))
	var rows []struct {
		ServerID   string `json:"server_id"`
		TransferRx uint64 `json:"transfer_rx"`
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return err
	}
	has := make(map[string]bool, len(rows))
	for _, r := range rows {
		has[fmt.Sprint(r.ServerID, "/", r.TransferRx)] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pb := range p.pending {
		if !pb.seenHist && has[fmt.Sprint(pb.server, "/", pb.marker)] {
			pb.seenHist = true
			p.toHist.add(seen.Sub(pb.accepted))
		}
	}
	return nil
}

func (p *prober) print(w io.Writer) {
	p.mu.Lock()
	var missS, missH int
	for _, pb := range p.pending {
		if !pb.seenStatus {
			missS++
		}
		if !pb.seenHist {
			missH++
		}
	}
	sent := p.sent
	p.mu.Unlock()
	fmt.Fprintf(w, "probes: %d accepted\n", sent)
	printLatency(w, fmt.Sprintf("freshness to statuses (unseen %d)", missS), &p.toStatus)
	printLatency(w, "  poll of /api/statuses", &p.statPoll)
	if p.history {
		printLatency(w, fmt.Sprintf("freshness to history (unseen %d)", missH), &p.toHist)
		printLatency(w, "  poll of /api/history", &p.histPoll)
	}
}

var (
	peerKeysOnce sync.Once
	peerKeys     []string
)

// peerKey is a valid WireGuard public key (32 bytes, base64) for peer p;
// keys repeat across servers, which the control plane allows.
func peerKey(_ int, p int) string {
	peerKeysOnce.Do(func() {
		peerKeys = make([]string, 4096)
		for i := range peerKeys {
			sum := sha256.Sum256(fmt.Appendf(nil, "loadgen-peer-%d", i))
			peerKeys[i] = base64.StdEncoding.EncodeToString(sum[:])
		}
	})
	return peerKeys[p%len(peerKeys)]
}

// jsonString reads one top-level string field of a JSON object.
func jsonString(b []byte, field string) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	s, ok := m[field].(string)
	if !ok || s == "" {
		return "", fmt.Errorf("no %q in the answer", field)
	}
	return s, nil
}
