package agent

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Agent runs the report, reconcile and delivery loops for one device.
type Agent struct {
	cfg      Config
	log      *slog.Logger
	q        *queue
	measured atomic.Uint64

	mu     sync.Mutex // guards sender and rec once Run has built them
	sender *sender
	rec    *reconciler
}

// Stats are the agent's counters.
type Stats struct {
	// Measured is the number of reports built and queued.
	Measured uint64
	// Delivered is the number of reports the control plane accepted.
	Delivered uint64
	// Dropped is the number of reports dropped because the queue was full.
	Dropped uint64
	// Rejected is the number of reports dropped because the control plane
	// refused them (400/413).
	Rejected uint64
	// Queued is the number of reports waiting for delivery.
	Queued int
	// AppliedVersion is the version of the last applied desired config.
	AppliedVersion int64
}

// New validates cfg and returns an agent; Run starts it.
func New(cfg Config) (*Agent, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Agent{cfg: c, log: c.Logger, q: newQueue(c.QueueCapacity)}, nil
}

// Stats returns a snapshot of the counters.
func (a *Agent) Stats() Stats {
	st := Stats{Measured: a.measured.Load(), Dropped: a.q.droppedTotal(), Queued: a.q.len()}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sender != nil {
		st.Delivered, st.Rejected = a.sender.delivered.Load(), a.sender.rejected.Load()
	}
	if a.rec != nil {
		st.AppliedVersion = a.rec.applied.Load()
	}
	return st
}

// Run sets the device up and runs until ctx is done. Then it stops the
// loops, tries one last flush of the queued reports (within ShutdownFlush)
// and releases the device. WireGuard keeps running as last applied while
// the control plane is unreachable. Run returns an error only when the
// start fails. Call it once per Agent.
func (a *Agent) Run(ctx context.Context) error {
	dev, link, closeDev, err := a.openDevice()
	if err != nil {
		return err
	}
	defer closeDev()
	if err := a.setupInterface(dev); err != nil {
		return err
	}
	managed, err := loadManaged(a.cfg.StateDir, a.cfg.Interface)
	if err != nil {
		return err
	}
	cp := &cpClient{base: a.cfg.ControlPlane, token: a.cfg.Token, http: a.cfg.HTTPClient}
	rec := &reconciler{dev: dev, iface: a.cfg.Interface, exclusive: a.cfg.Exclusive, managed: managed, log: a.log}
	if link != nil {
		rec.addr = link
	}
	s := &sender{
		cp: cp, q: a.q, log: a.log, timeout: DefaultReportTimeout,
		maxBatch: a.cfg.BatchSize, batch: a.cfg.BatchSize,
		bo: newBackoff(a.cfg.BackoffMin, a.cfg.BackoffMax), authWait: a.cfg.BackoffMax,
	}
	p := &poller{
		cp: cp, serverID: a.cfg.ServerID, rec: rec, log: a.log, timeout: a.cfg.PollTimeout,
		minGap: a.cfg.Interval, authWait: a.cfg.BackoffMax, bo: newBackoff(a.cfg.BackoffMin, a.cfg.BackoffMax),
	}
	a.mu.Lock()
	a.sender, a.rec = s, rec
	a.mu.Unlock()

	a.log.Info("agent started", "server_id", a.cfg.ServerID, "interface", a.cfg.Interface,
		"userspace", a.cfg.Userspace, "control_plane", a.cfg.ControlPlane.Redacted(), "interval", a.cfg.Interval)
	queued := make(chan struct{}, 1)
	m := &measurer{agent: a, dev: dev, rec: rec, prober: a.prober(), queued: queued}
	var wg sync.WaitGroup
	wg.Go(func() { m.loop(ctx) })
	wg.Go(func() { s.loop(ctx, queued) })
	wg.Go(func() { p.loop(ctx) })
	<-ctx.Done()
	wg.Wait()

	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownFlush)
	defer cancel()
	s.finalFlush(flushCtx)
	a.log.Info("agent stopped", "delivered", s.delivered.Load(), "queued", a.q.len(), "dropped", a.q.droppedTotal())
	return nil
}

// prober builds the ping prober for the configured target.
func (a *Agent) prober() Prober {
	cp := a.cfg.ControlPlane
	host, port := cp.Hostname(), cp.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[cp.Scheme]
	}
	if t := a.cfg.PingTarget; t != "" {
		host = t
		if h, p, err := net.SplitHostPort(t); err == nil {
			host, port = h, p
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	return newPinger(host, port, a.log)
}

// measureTimeout bounds one probe: at most the interval, at most 5 s.
func measureTimeout(interval time.Duration) time.Duration {
	return min(interval, defaultProbeTimeout)
}
