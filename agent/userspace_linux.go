package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/ipc"
	"golang.zx2c4.com/wireguard/tun"
)

// userspaceDevice is a wireguard-go device run by the agent, reachable
// through its UAPI socket (/var/run/wireguard/<name>.sock) by wgctrl and wg.
type userspaceDevice struct {
	name string
	dev  *device.Device
	uapi net.Listener
	wg   sync.WaitGroup
	once sync.Once
}

// startUserspace creates the TUN interface name, runs wireguard-go on it and
// serves its UAPI socket.
func startUserspace(name string, log *slog.Logger) (*userspaceDevice, error) {
	t, err := tun.CreateTUN(name, device.DefaultMTU)
	if err != nil {
		return nil, fmt.Errorf("create tun %s: %w", name, err)
	}
	dev := device.NewDevice(t, conn.NewDefaultBind(), wgLogger(log))
	f, err := ipc.UAPIOpen(name)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("open uapi socket for %s: %w", name, err)
	}
	l, err := ipc.UAPIListen(name, f)
	_ = f.Close()
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("listen on uapi socket for %s: %w", name, err)
	}
	u := &userspaceDevice{name: name, dev: dev, uapi: l}
	u.wg.Add(1)
	go u.serve()
	return u, nil
}

// serve answers UAPI connections until the listener closes.
func (u *userspaceDevice) serve() {
	defer u.wg.Done()
	for {
		c, err := u.uapi.Accept()
		if err != nil {
			return
		}
		go u.dev.IpcHandle(c)
	}
}

// Close stops the device; the TUN interface and the socket disappear.
func (u *userspaceDevice) Close() error {
	var err error
	u.once.Do(func() {
		err = u.uapi.Close()
		u.wg.Wait()
		u.dev.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			err = fmt.Errorf("close uapi socket for %s: %w", u.name, err)
		} else {
			err = nil
		}
	})
	return err
}

// wgLogger routes wireguard-go's log lines to slog: verbose ones at debug,
// errors at warn.
func wgLogger(log *slog.Logger) *device.Logger {
	return &device.Logger{
		Verbosef: func(format string, args ...any) {
			if log.Enabled(context.Background(), slog.LevelDebug) {
				log.Debug("wireguard-go", "detail", fmt.Sprintf(format, args...))
			}
		},
		Errorf: func(format string, args ...any) {
			log.Warn("wireguard-go", "detail", fmt.Sprintf(format, args...))
		},
	}
}
