package agent

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// linkConfig gives a userspace interface its address and brings it up,
// through netlink.
type linkConfig struct {
	name    string
	current netip.Prefix
}

// SetUp brings the interface up.
func (l *linkConfig) SetUp() error {
	link, err := netlink.LinkByName(l.name)
	if err != nil {
		return fmt.Errorf("find link %s: %w", l.name, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set link %s up: %w", l.name, err)
	}
	return nil
}

// SetAddress makes p the interface's address, replacing the one it set
// before, and brings the interface up. It does nothing when p is already
// set.
func (l *linkConfig) SetAddress(p netip.Prefix) error {
	if p == l.current {
		return nil
	}
	link, err := netlink.LinkByName(l.name)
	if err != nil {
		return fmt.Errorf("find link %s: %w", l.name, err)
	}
	n := ipNet(p)
	if err := netlink.AddrReplace(link, &netlink.Addr{IPNet: &n}); err != nil {
		return fmt.Errorf("set address %s on %s: %w", p, l.name, err)
	}
	if l.current.IsValid() {
		old := ipNet(l.current)
		if err := netlink.AddrDel(link, &netlink.Addr{IPNet: &old}); err != nil {
			return fmt.Errorf("remove old address %s from %s: %w", l.current, l.name, err)
		}
	}
	l.current = p
	return l.SetUp()
}
