package agent

import (
	"bytes"
	"fmt"
	"os"
	"sync/atomic"

	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// inProcess is the Device of the agent's own wireguard-go device: it runs
// the UAPI get and set operations in process instead of over the socket.
// Through wgctrl, one read of 1,000 peers allocated about 1 MB (a socket
// connection, and a string for every key, value and split of every line);
// the agent reads the device at every report. wg(8) still uses the socket.
type inProcess struct {
	name string
	dev  *device.Device
	// peers and ips are the counts of the last read, to size the next.
	peers, ips atomic.Int64
}

func newInProcess(u *userspaceDevice) *inProcess {
	return &inProcess{name: u.name, dev: u.dev}
}

// Device reads the device; name must be its own.
func (d *inProcess) Device(name string) (*wgtypes.Device, error) {
	return d.deviceInto(name, newUAPIGet(int(d.peers.Load()), int(d.ips.Load())))
}

// deviceInto reads the device into g, reusing the arrays of g's last
// reading, which it overwrites: for the measurer, which reads at every
// interval and keeps nothing of the reading once its report is built.
func (d *inProcess) deviceInto(name string, g *uapiGet) (*wgtypes.Device, error) {
	if name != d.name {
		return nil, fmt.Errorf("read device %s: %w", name, os.ErrNotExist)
	}
	g.reset()
	if err := d.dev.IpcGetOperation(g); err != nil {
		return nil, fmt.Errorf("read device %s: %w", name, err)
	}
	dev, err := g.device()
	if err != nil {
		return nil, fmt.Errorf("read device %s: %w", name, err)
	}
	dev.Name, dev.Type = name, wgtypes.Userspace
	d.peers.Store(int64(len(dev.Peers)))
	d.ips.Store(int64(len(g.nets)))
	return dev, nil
}

// ConfigureDevice applies cfg; name must be the device's own.
func (d *inProcess) ConfigureDevice(name string, cfg wgtypes.Config) error {
	if name != d.name {
		return fmt.Errorf("configure device %s: %w", name, os.ErrNotExist)
	}
	if err := d.dev.IpcSetOperation(bytes.NewReader(appendUAPISet(nil, cfg))); err != nil {
		return fmt.Errorf("configure device %s: %w", name, err)
	}
	return nil
}

// Close does nothing: the device is closed with the userspaceDevice.
func (*inProcess) Close() error { return nil }
