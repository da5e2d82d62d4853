package agent

import (
	"fmt"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// openDevice starts the userspace device when configured and opens device
// access. link is nil unless the agent manages the interface's address.
// closeDev releases everything.
func (a *Agent) openDevice() (dev Device, link *linkConfig, closeDev func(), err error) {
	var us *userspaceDevice
	if a.cfg.Userspace {
		if us, err = startUserspace(a.cfg.Interface, a.log); err != nil {
			return nil, nil, nil, err
		}
	}
	closeUS := func() {
		if us != nil {
			if err := us.Close(); err != nil {
				a.log.Warn("closing userspace device", "error", err.Error())
			}
		}
	}
	if us != nil && a.cfg.OpenDevice == nil {
		dev = newInProcess(us)
	} else {
		dev, err = a.cfg.OpenDevice()
	}
	if err != nil {
		closeUS()
		return nil, nil, nil, err
	}
	closeDev = func() {
		if err := dev.Close(); err != nil {
			a.log.Warn("closing device access", "error", err.Error())
		}
		closeUS()
	}
	if us != nil && !a.cfg.SkipLinkSetup {
		link = &linkConfig{name: a.cfg.Interface}
		if err := link.SetUp(); err != nil {
			closeDev()
			return nil, nil, nil, err
		}
	}
	return dev, link, closeDev, nil
}

// setupInterface gives the device its private key (from the key file, if
// any) and listen port, changing it only where it differs.
func (a *Agent) setupInterface(dev Device) error {
	d, err := dev.Device(a.cfg.Interface)
	if err != nil {
		return fmt.Errorf("read device %s: %w", a.cfg.Interface, err)
	}
	var cfg wgtypes.Config
	changed := false
	if path := a.cfg.PrivateKeyFile; path != "" {
		key, err := LoadOrCreatePrivateKey(path)
		if err != nil {
			return err
		}
		if keyFileTooOpen(path) {
			a.log.Warn("private key file is readable by others; chmod 600 it", "path", path)
		}
		if key != d.PrivateKey {
			cfg.PrivateKey, changed = &key, true
		}
	} else if d.PrivateKey == (wgtypes.Key{}) {
		return fmt.Errorf("set up device %s: %w", a.cfg.Interface, ErrNoPrivateKey)
	}
	if d.ListenPort != a.cfg.ListenPort {
		port := a.cfg.ListenPort
		cfg.ListenPort, changed = &port, true
	}
	if !changed {
		return nil
	}
	if err := dev.ConfigureDevice(a.cfg.Interface, cfg); err != nil {
		return fmt.Errorf("set up device %s: %w", a.cfg.Interface, err)
	}
	return nil
}
