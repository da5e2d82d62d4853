package agent

import (
	"context"
	"time"
)

// measurer builds a report every interval and queues it.
type measurer struct {
	agent  *Agent
	dev    Device
	rec    *reconciler
	prober Prober
	queued chan<- struct{} // signalled after each push
}

// loop measures at once, then at every tick until ctx is done.
func (m *measurer) loop(ctx context.Context) {
	t := time.NewTicker(m.agent.cfg.Interval)
	defer t.Stop()
	m.measureOnce(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.measureOnce(ctx)
		}
	}
}

// measureOnce probes, reads the device and queues a report. A device that
// cannot be read gives no report (the control plane then sees the server
// go offline).
func (m *measurer) measureOnce(ctx context.Context) {
	a := m.agent
	pctx, cancel := context.WithTimeout(ctx, measureTimeout(a.cfg.Interval))
	rtt, pingErr := m.prober.Probe(pctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if pingErr != nil {
		a.log.Debug("ping probe failed", "error", pingErr.Error())
	}
	d, err := m.dev.Device(a.cfg.Interface)
	if err != nil {
		a.log.Error("cannot read WireGuard device, no report this interval", "interface", a.cfg.Interface, "error", err.Error())
		return
	}
	r := buildReport(a.cfg.ServerID, d, rtt, pingErr, time.Now(), m.rec.applied.Load())
	a.measured.Add(1)
	if a.q.push(r) {
		a.log.Warn("report queue full, dropped the oldest report", "capacity", a.cfg.QueueCapacity, "dropped_total", a.q.droppedTotal())
	}
	select {
	case m.queued <- struct{}{}:
	default:
	}
}
