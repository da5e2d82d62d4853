//go:build !linux

package agent

import (
	"errors"
	"log/slog"
	"net/netip"
)

// errUnsupported is returned by the userspace device outside Linux.
var errUnsupported = errors.New("userspace WireGuard is only supported on Linux")

type userspaceDevice struct{}

func startUserspace(string, *slog.Logger) (*userspaceDevice, error) { return nil, errUnsupported }

// newInProcess is never called: startUserspace fails.
func newInProcess(*userspaceDevice) Device { return nil }

// Close implements io.Closer.
func (*userspaceDevice) Close() error { return nil }

type linkConfig struct{ name string }

// SetUp fails outside Linux.
func (*linkConfig) SetUp() error { return errUnsupported }

// SetAddress fails outside Linux.
func (*linkConfig) SetAddress(netip.Prefix) error { return errUnsupported }
