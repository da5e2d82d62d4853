package agent

import (
	"context"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// measurer builds a report every interval and queues it.
type measurer struct {
	agent  *Agent
	dev    Device
	rec    *reconciler
	prober Prober
	queued chan<- struct{} // signalled after each push
	// scratch holds the arrays of the last reading, for a device that can
	// read into them (the agent's own userspace device).
	scratch *uapiGet
}

// scratchReader is a Device that can read into the arrays of an earlier
// reading; see inProcess.deviceInto.
type scratchReader interface {
	deviceInto(name string, g *uapiGet) (*wgtypes.Device, error)
}

// read reads the device, into m.scratch when the device can: a report is
// built at every interval from every peer, and nothing of the reading is
// kept once it is.
func (m *measurer) read() (*wgtypes.Device, error) {
	r, ok := m.dev.(scratchReader)
	if !ok {
		return m.dev.Device(m.agent.cfg.Interface)
	}
	if m.scratch == nil {
		m.scratch = &uapiGet{}
	}
	return r.deviceInto(m.agent.cfg.Interface, m.scratch)
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
	d, err := m.read()
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
