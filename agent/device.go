package agent

import (
	"fmt"

	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Device is the agent's view of WireGuard: read one device, change it, and
// release the handle. *wgctrl.Client implements it.
type Device interface {
	Device(name string) (*wgtypes.Device, error)
	ConfigureDevice(name string, cfg wgtypes.Config) error
	Close() error
}

// OpenWgctrl returns a wgctrl client, which reaches kernel devices over
// netlink and userspace devices over their UAPI socket.
func OpenWgctrl() (Device, error) {
	c, err := wgctrl.New()
	if err != nil {
		return nil, fmt.Errorf("open wgctrl: %w", err)
	}
	return c, nil
}
