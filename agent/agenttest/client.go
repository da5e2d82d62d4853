package agenttest

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun/netstack"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Client is a WireGuard client in userspace: wireguard-go over a gVisor
// netstack. Dial through Net to reach the server's side of the tunnel. Its
// UDP traffic leaves through ordinary sockets to the peers' endpoints, so
// keep those on loopback or inside a namespace the test made.
type Client struct {
	Net       *netstack.Net
	Device    *device.Device
	PublicKey wgtypes.Key
}

// NewClient starts a client from wg-quick config text (as the control plane
// serves it to a peer). The caller closes it.
func NewClient(configText string) (*Client, error) {
	c, err := ParseQuickConfig(configText)
	if err != nil {
		return nil, fmt.Errorf("wg-quick config: %w", err)
	}
	return StartClient(c)
}

// StartClient starts a client from a parsed config.
func StartClient(c *QuickConfig) (*Client, error) {
	var addrs []netip.Addr
	for _, p := range c.Addresses {
		addrs = append(addrs, p.Addr())
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("wg-quick config: [Interface] has no Address")
	}
	mtu := c.MTU
	if mtu == 0 {
		mtu = device.DefaultMTU
	}
	tun, tnet, err := netstack.CreateNetTUN(addrs, c.DNS, mtu)
	if err != nil {
		return nil, fmt.Errorf("create netstack: %w", err)
	}
	dev := device.NewDevice(tun, conn.NewDefaultBind(), device.NewLogger(device.LogLevelSilent, ""))
	uapi, err := uapiConfig(c)
	if err == nil {
		err = dev.IpcSet(uapi)
	}
	if err == nil {
		err = dev.Up()
	}
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("configure client: %w", err)
	}
	return &Client{Net: tnet, Device: dev, PublicKey: c.PrivateKey.PublicKey()}, nil
}

// Close stops the client.
func (c *Client) Close() { c.Device.Close() }

// LastHandshake returns when the client last completed a handshake with any
// peer; the zero time when it never did.
func (c *Client) LastHandshake() (time.Time, error) {
	s, err := c.Device.IpcGet()
	if err != nil {
		return time.Time{}, fmt.Errorf("read client state: %w", err)
	}
	var latest time.Time
	var sec int64
	for _, line := range strings.Split(s, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "last_handshake_time_sec":
			sec, _ = strconv.ParseInt(v, 10, 64)
		case "last_handshake_time_nsec":
			nsec, _ := strconv.ParseInt(v, 10, 64)
			if t := time.Unix(sec, nsec); (sec != 0 || nsec != 0) && t.After(latest) {
				latest = t
			}
		}
	}
	return latest, nil
}

// uapiConfig renders c in wireguard-go's UAPI "set" format. Endpoints are
// resolved to IP:port.
func uapiConfig(c *QuickConfig) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "private_key=%s\n", hex.EncodeToString(c.PrivateKey[:]))
	if c.ListenPort != 0 {
		fmt.Fprintf(&b, "listen_port=%d\n", c.ListenPort)
	}
	b.WriteString("replace_peers=true\n")
	for _, p := range c.Peers {
		fmt.Fprintf(&b, "public_key=%s\n", hex.EncodeToString(p.PublicKey[:]))
		if p.PresharedKey != (wgtypes.Key{}) {
			fmt.Fprintf(&b, "preshared_key=%s\n", hex.EncodeToString(p.PresharedKey[:]))
		}
		if p.Endpoint != "" {
			ep, err := resolveEndpoint(p.Endpoint)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, "endpoint=%s\n", ep)
		}
		if p.PersistentKeepalive > 0 {
			fmt.Fprintf(&b, "persistent_keepalive_interval=%d\n", p.PersistentKeepalive)
		}
		b.WriteString("replace_allowed_ips=true\n")
		for _, a := range p.AllowedIPs {
			fmt.Fprintf(&b, "allowed_ip=%s\n", a)
		}
	}
	return b.String(), nil
}

func resolveEndpoint(ep string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(ep); err == nil {
		return ap, nil
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: %w", ep, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip4", host)
	if err != nil || len(addrs) == 0 {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: cannot resolve %s: %v", ep, host, err)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("endpoint %q: bad port", ep)
	}
	return netip.AddrPortFrom(addrs[0], uint16(p)), nil
}
