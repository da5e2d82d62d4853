package agent

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// addresser gives the interface its address and brings it up.
type addresser interface {
	SetAddress(p netip.Prefix) error
}

// reconciler applies desired states to the device.
type reconciler struct {
	dev       Device
	iface     string
	exclusive bool
	managed   *managedSet
	// addr is nil when the agent leaves addresses alone (kernel devices).
	addr addresser
	log  *slog.Logger
	// applied is the version of the last applied state, 0 before the first.
	applied atomic.Int64
}

// apply makes the device's peers match ds, changing the device only when
// something differs, and records ds.Version as applied.
func (r *reconciler) apply(ds desiredState) error {
	d, err := r.dev.Device(r.iface)
	if err != nil {
		return fmt.Errorf("apply config version %d: read device: %w", ds.Version, err)
	}
	want := make(map[wgtypes.Key]bool, len(ds.Peers))
	for _, p := range ds.Peers {
		want[p.PublicKey] = true
	}
	cfg, changed := diff(d.Peers, ds.Peers, r.managed.keys, r.exclusive) // diff only reads the set
	if changed {
		// Remember the new keys before they reach the device, so a crash
		// in between cannot leave a managed peer unknown.
		union := r.managed.snapshot()
		for k := range want {
			union[k] = true
		}
		if err := r.managed.replace(union); err != nil {
			return fmt.Errorf("apply config version %d: %w", ds.Version, err)
		}
		if err := r.dev.ConfigureDevice(r.iface, cfg); err != nil {
			return fmt.Errorf("apply config version %d: configure device: %w", ds.Version, err)
		}
		added, updated, removed := diffCounts(cfg)
		r.log.Info("applied peer changes", "version", ds.Version,
			"added", added, "updated", updated, "removed", removed)
	}
	if err := r.managed.replace(want); err != nil {
		return fmt.Errorf("apply config version %d: %w", ds.Version, err)
	}
	if r.addr != nil && ds.Address.IsValid() {
		if err := r.addr.SetAddress(ds.Address); err != nil {
			return fmt.Errorf("apply config version %d: %w", ds.Version, err)
		}
	}
	r.applied.Store(ds.Version)
	return nil
}
