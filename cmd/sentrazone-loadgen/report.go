package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// reportOpts are the flags of the report mode.
type reportOpts struct {
	target
	token       string
	perServer   bool
	servers     int
	prefix      string
	interval    time.Duration
	rate        float64
	concurrency int
	batch       int
	peerStats   int
	duration    time.Duration
	count       int64
	probes      int
	probeEvery  time.Duration
	pollEvery   time.Duration
	history     bool
	settle      time.Duration
	pid         int
}

func cmdReport(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	var o reportOpts
	o.bind(fs)
	fs.StringVar(&o.token, "token", "", "fleet agent token (serve --agent-token); registers unknown servers on their first report")
	fs.BoolVar(&o.perServer, "per-server-tokens", false, "register every server through the admin API (--email, --password) and report with its own agent token")
	fs.IntVar(&o.servers, "servers", 1000, "number of simulated agents (distinct server ids)")
	fs.StringVar(&o.prefix, "prefix", "lg-", "server id prefix")
	fs.DurationVar(&o.interval, "interval", 0, "each agent reports once per interval (sets the rate to servers/interval); 0: use --rate")
	fs.Float64Var(&o.rate, "rate", 0, "reports per second over all agents; 0: as fast as possible")
	fs.IntVar(&o.concurrency, "concurrency", 64, "requests in flight (keep-alive connections)")
	fs.IntVar(&o.batch, "batch", 1, "reports per request: 1 sends an object, more send a JSON array")
	fs.IntVar(&o.peerStats, "peer-stats", 0, "peer_stats entries per report")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to send load")
	fs.Int64Var(&o.count, "count", 0, "stop after this many reports (0: only --duration bounds the run)")
	fs.IntVar(&o.probes, "probes", 0, "freshness probe servers (extra server ids, needs --email/--password); 0: no freshness")
	fs.DurationVar(&o.probeEvery, "probe-every", 200*time.Millisecond, "one probe report every this long")
	fs.DurationVar(&o.pollEvery, "poll-every", 50*time.Millisecond, "how often /api/statuses and /api/history are polled for probes")
	fs.BoolVar(&o.history, "history-freshness", true, "also measure freshness to /api/history")
	fs.DurationVar(&o.settle, "settle", 15*time.Second, "after the load, how long to wait at most for probes still unseen")
	fs.IntVar(&o.pid, "pid", 0, "server process id: also print its CPU per accepted report (utime + stime from /proc/PID/stat, Linux)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	return runReport(ctx, o, out)
}

func (o *reportOpts) validate() error {
	switch {
	case o.token == "" && !o.perServer:
		return errors.New("give --token (fleet token) or --per-server-tokens")
	case o.pid < 0:
		return errors.New("--pid must be a process id")
	case o.servers < 1 || o.concurrency < 1 || o.batch < 1 || o.peerStats < 0:
		return errors.New("--servers, --concurrency and --batch must be positive")
	case o.duration <= 0 || o.duration > 24*time.Hour:
		return errors.New("--duration must be in (0, 24h]")
	case o.perServer && o.batch > 1:
		return errors.New("--per-server-tokens reports one server per request: use --batch 1")
	case (o.probes > 0 || o.perServer) && (o.email == "" || o.password == ""):
		return errors.New("--probes and --per-server-tokens need --email and --password")
	}
	if o.interval > 0 {
		o.rate = float64(o.servers) / o.interval.Seconds()
	}
	return nil
}

// fleet is the simulated agents: their ids and tokens.
type fleet struct {
	ids    []string
	probes []string // probe server tokens
	tokens []string // per server; nil: the fleet token
	fleet  string
}

func (f *fleet) token(i int) string {
	if f.tokens != nil {
		return f.tokens[i]
	}
	return f.fleet
}

func runReport(ctx context.Context, o reportOpts, out io.Writer) error {
	if o.pid > 0 { // a wrong --pid fails before the warm-up
		if _, err := sampleCPU(o.pid); err != nil {
			return err
		}
	}
	c, err := newClient(o.url, o.concurrency+4)
	if err != nil {
		return err
	}
	f := &fleet{fleet: o.token}
	for i := range o.servers {
		f.ids = append(f.ids, fmt.Sprintf("%s%06d", o.prefix, i))
	}
	var admin string
	if o.email != "" {
		if admin, err = c.login(o.email, o.password); err != nil {
			return err
		}
	}
	probeIDs := make([]string, o.probes)
	for i := range probeIDs {
		probeIDs[i] = fmt.Sprintf("%sprobe-%03d", o.prefix, i)
	}
	fmt.Fprintf(out, "warm-up: registering %d servers\n", o.servers+o.probes)
	if err := warmUp(ctx, c, o, f, admin, probeIDs); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	var pr *prober
	if o.probes > 0 {
		if f.probes == nil {
			for range probeIDs {
				f.probes = append(f.probes, o.token)
			}
		}
		pr = newProber(c, admin, probeIDs, f.probes, o)
	}
	// CPU figures are best effort, unless asked for with --pid.
	before, cpuErr := sampleCPU(o.pid)
	if cpuErr != nil && o.pid > 0 {
		return cpuErr
	}
	res := drive(ctx, c, o, f, pr)
	res.print(out, o)
	if cpuErr == nil {
		after, err := sampleCPU(o.pid)
		switch {
		case err == nil:
			printCPU(out, before, after, res.reports.Load())
		case o.pid > 0:
			return err
		}
	}
	if pr != nil {
		pr.finish(ctx, o.settle)
		pr.print(out)
	}
	return nil
}

// warmUp makes every server known before the timed run: a fleet token
// registers a server on its first report, which goes through the events
// log; per-server tokens are issued by registering through the admin API.
func warmUp(ctx context.Context, c *client, o reportOpts, f *fleet, admin string, probeIDs []string) error {
	all := append(append([]string{}, f.ids...), probeIDs...)
	if o.perServer {
		toks, err := registerServers(ctx, c, admin, all)
		if err != nil {
			return err
		}
		f.tokens, f.probes = toks[:len(f.ids)], toks[len(f.ids):]
		return nil
	}
	var buf []byte
	for start := 0; start < len(all); start += 500 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		buf = buf[:0]
		buf = append(buf, '[')
		for i, id := range all[start:min(start+500, len(all))] {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendReport(buf, id, 1, 0, 0, 0, time.Time{})
		}
		buf = append(buf, ']')
		st, b, err := c.do("POST", "/api/report", o.token, buf, nil)
		if err != nil {
			return err
		}
		if st != 202 {
			return fmt.Errorf("status %d: %s", st, b)
		}
	}
	return nil
}

// registerServers registers ids through POST /api/servers (those already
// registered are refused, so run against a fresh control plane) and
// returns their agent tokens.
func registerServers(ctx context.Context, c *client, admin string, ids []string) ([]string, error) {
	toks := make([]string, len(ids))
	for i, id := range ids {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		body := fmt.Appendf(nil, `{"id":%q,"name":%q,"endpoint":"192.0.2.1:51820"}`, id, id)
		st, b, err := c.do("POST", "/api/servers", admin, body, nil)
		if err != nil {
			return nil, err
		}
		if st != 201 && st != 200 {
			return nil, fmt.Errorf("register %s: status %d: %s", id, st, b)
		}
		tok, err := jsonString(b, "agent_token")
		if err != nil {
			return nil, fmt.Errorf("register %s: %w", id, err)
		}
		toks[i] = tok
	}
	return toks, nil
}

// appendReport appends one report object. ping < 0 sends null; a zero at
// sends no reported_at (the server stamps it).
func appendReport(b []byte, id string, ping float64, peers int, rx, tx uint64, at time.Time) []byte {
	b = append(b, `{"server_id":"`...)
	b = append(b, id...)
	b = append(b, `","ping_ms":`...)
	if ping < 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendFloat(b, ping, 'f', -1, 64)
	}
	b = append(b, `,"peers":`...)
	b = strconv.AppendInt(b, int64(peers), 10)
	b = append(b, `,"transfer_rx":`...)
	b = strconv.AppendUint(b, rx, 10)
	b = append(b, `,"transfer_tx":`...)
	b = strconv.AppendUint(b, tx, 10)
	if !at.IsZero() {
		b = append(b, `,"reported_at":"`...)
		b = at.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendPeerStats replaces the closing brace of the last report with n
// peer_stats entries of deterministic keys.
func appendPeerStats(b []byte, server, n int, rx uint64) []byte {
	if n == 0 {
		return b
	}
	b = append(b[:len(b)-1], `,"peer_stats":[`...)
	for p := range n {
		if p > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"public_key":"`...)
		b = append(b, peerKey(server, p)...)
		b = append(b, `","endpoint":"198.51.100.7:40000","transfer_rx":`...)
		b = strconv.AppendUint(b, rx, 10)
		b = append(b, `,"transfer_tx":`...)
		b = strconv.AppendUint(b, rx/2, 10)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// results are what a load run counted.
type results struct {
	reports  atomic.Int64
	requests atomic.Int64
	lat      latencies
	statuses statusCounts
	elapsed  time.Duration
}

func (r *results) print(w io.Writer, o reportOpts) {
	secs := r.elapsed.Seconds()
	target := "max"
	if o.rate > 0 {
		target = fmt.Sprintf("%.0f/s", o.rate)
	}
	fmt.Fprintf(w, "load: servers=%d batch=%d concurrency=%d rate=%s duration=%s\n",
		o.servers, o.batch, o.concurrency, target, r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "accepted: %d reports, %.0f reports/s (%.0f requests/s)\n",
		r.reports.Load(), float64(r.reports.Load())/secs, float64(r.requests.Load())/secs)
	printLatency(w, "latency", &r.lat)
	fmt.Fprintf(w, "errors: %s\n", r.statuses.errors())
}

// drive sends the load: concurrency workers, each taking the next request
// number k; with a rate, request k is due at start + k/requestRate. The
// servers of request k are the next batch in round-robin order, so with
// --interval every agent reports once per interval.
func drive(ctx context.Context, c *client, o reportOpts, f *fleet, pr *prober) *results {
	res := &results{}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var period time.Duration
	if o.rate > 0 {
		period = time.Duration(float64(time.Second) * float64(o.batch) / o.rate)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	if pr != nil {
		wg.Go(func() { pr.run(ctx) })
	}
	for range o.concurrency {
		wg.Go(func() {
			var body, resp []byte
			for ctx.Err() == nil {
				k := next.Add(1) - 1
				if o.count > 0 && k*int64(o.batch) >= o.count {
					return
				}
				if period > 0 {
					if d := time.Until(start.Add(time.Duration(k) * period)); d > 0 {
						select {
						case <-ctx.Done():
							return
						case <-time.After(d):
						}
					}
				}
				first := int(k*int64(o.batch)) % len(f.ids)
				body = buildRequest(body[:0], o, f, first, uint64(k))
				t0 := time.Now()
				st, rb, err := c.do("POST", "/api/report", f.token(first), body, resp[:0])
				resp = rb
				if err != nil && ctx.Err() != nil {
					return // cut by the end of the run, not counted
				}
				res.lat.add(time.Since(t0))
				res.statuses.add(st)
				res.requests.Add(1)
				if st == 202 {
					res.reports.Add(int64(o.batch))
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// buildRequest writes one request body: a report (batch 1) or an array of
// batch reports of consecutive servers from first.
func buildRequest(b []byte, o reportOpts, f *fleet, first int, k uint64) []byte {
	if o.batch > 1 {
		b = append(b, '[')
	}
	for i := range o.batch {
		if i > 0 {
			b = append(b, ',')
		}
		s := (first + i) % len(f.ids)
		rx := k*1000 + uint64(i)
		b = appendReport(b, f.ids[s], float64(10+s%40)+0.5, o.peerStats, rx, rx/2, time.Time{})
		b = appendPeerStats(b, s, o.peerStats, rx)
	}
	if o.batch > 1 {
		b = append(b, ']')
	}
	return b
}
