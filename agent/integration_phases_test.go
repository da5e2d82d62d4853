package agent_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/agent"
	"github.com/sentrazone/sentrazone/agent/agenttest"
	"github.com/sentrazone/sentrazone/domain"
)

// checkApplied waits until the device has the desired peers of version
// and a report carries that version, the device's key and port. It
// returns the device's public key.
func (it *integration) checkApplied(version int64) wgtypes.Key {
	t := it.t
	since := len(it.cp.accepted())
	d := it.waitDevice("the desired peers on the device", func(d *wgtypes.Device) bool {
		p, ok := findPeer(d, it.client.PublicKey())
		_, other := findPeer(d, it.other.PublicKey())
		return ok && p.PresharedKey == it.psk && slices.Equal(allowedIPs(p), []string{"10.8.0.2/32"}) && other == (version == 1)
	})
	if d.ListenPort != testListenPort || d.PrivateKey == (wgtypes.Key{}) {
		t.Fatalf("device listen port %d, has key %v", d.ListenPort, d.PrivateKey != (wgtypes.Key{}))
	}
	var r agent.Report
	eventually(t, 10*time.Second, fmt.Sprintf("a report of applied version %d", version), func() bool {
		rs := it.cp.accepted()[since:]
		if len(rs) == 0 {
			return false
		}
		r = rs[len(rs)-1]
		return r.AppliedVersion == version
	})
	if r.ServerID != testServerID || r.Interface == nil || r.Interface.PublicKey != d.PublicKey.String() ||
		r.Interface.ListenPort != testListenPort || r.Peers != len(d.Peers) || len(r.PeerStats) != len(d.Peers) {
		t.Fatalf("report %+v does not match device (key %s, port %d, %d peers)", r, d.PublicKey, d.ListenPort, len(d.Peers))
	}
	if r.PingMS == nil {
		t.Fatal("ping to the control plane on loopback failed")
	}
	return d.PublicKey
}

// checkDisable disables the other peer and checks it leaves the device,
// while a peer added by hand stays.
func (it *integration) checkDisable() {
	t := it.t
	hand := mustKey(t).PublicKey()
	err := it.wg.ConfigureDevice(it.iface, wgtypes.Config{Peers: []wgtypes.PeerConfig{
		{PublicKey: hand, AllowedIPs: []net.IPNet{mustCIDR(t, "192.0.2.0/24")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	it.cp.setConfig(it.config(2, false))
	d := it.waitDevice("the disabled peer to be removed", func(d *wgtypes.Device) bool {
		_, ok := findPeer(d, it.other.PublicKey())
		return !ok
	})
	if _, ok := findPeer(d, hand); !ok {
		t.Fatal("the agent removed a peer it does not manage")
	}
	if _, ok := findPeer(d, it.client.PublicKey()); !ok {
		t.Fatal("the agent removed a desired peer")
	}
}

// checkHandshake connects a netstack client through the tunnel to a TCP
// server on the agent's interface address and waits for the handshake to
// show in a report.
func (it *integration) checkHandshake() {
	t := it.t
	ln, err := net.Listen("tcp", "10.8.0.1:7777") // the address the agent assigned
	if err != nil {
		t.Fatalf("listen on the interface address: %v", err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if line, err := bufio.NewReader(c).ReadString('\n'); err == nil && line == "ping\n" {
			_, _ = c.Write([]byte("pong\n"))
		}
	}()
	server := it.device().PublicKey
	client, err := agenttest.NewClient(fmt.Sprintf(`[Interface]
PrivateKey = %s
Address = 10.8.0.2/32

[Peer]
PublicKey = %s
PresharedKey = %s
Endpoint = 127.0.0.1:%d
AllowedIPs = 10.8.0.0/24
PersistentKeepalive = 1
`, it.client, server, it.psk, testListenPort))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.Net.DialContextTCPAddrPort(ctx, netip.MustParseAddrPort("10.8.0.1:7777"))
	if err != nil {
		t.Fatalf("dial through the tunnel: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "pong\n" {
		t.Fatalf("reply %q, %v", line, err)
	}
	if hs, err := client.LastHandshake(); err != nil || hs.IsZero() {
		t.Fatalf("client handshake %v, %v", hs, err)
	}
	eventually(t, 10*time.Second, "a report with the client's handshake", func() bool {
		r, err := it.lastReport()
		if err != nil {
			return false
		}
		i := slices.IndexFunc(r.PeerStats, func(p domain.PeerStatWire) bool { return p.PublicKey == it.client.PublicKey().String() })
		return i >= 0 && r.PeerStats[i].LatestHandshakeAt != nil && strings.HasPrefix(r.PeerStats[i].Endpoint, "127.0.0.1:") &&
			r.PeerStats[i].TransferRx > 0 && r.TransferRx > 0
	})
}

// checkOutage makes the control plane fail, then disappear, then come back,
// and checks reports queue meanwhile and are delivered afterwards, while
// the device keeps its peers.
func (it *integration) checkOutage(a *agent.Agent) {
	t := it.t
	it.cp.setFailing(true)
	before := len(it.cp.accepted())
	m := a.Stats().Measured
	eventually(t, 10*time.Second, "reports measured while the control plane answers 503", func() bool {
		return a.Stats().Measured >= m+5
	})
	it.cp.stop()
	m = a.Stats().Measured
	eventually(t, 10*time.Second, "reports measured while the control plane is gone", func() bool {
		return a.Stats().Measured >= m+5
	})
	if n := len(it.cp.accepted()); n != before {
		t.Fatalf("%d reports accepted during the outage", n-before)
	}
	if st := a.Stats(); st.Queued < 10 {
		t.Fatalf("only %d reports queued during the outage", st.Queued)
	}
	if _, ok := findPeer(it.device(), it.client.PublicKey()); !ok {
		t.Fatal("the device lost its peer while the control plane was away")
	}
	it.cp.setFailing(false)
	it.cp.restart()
	eventually(t, 10*time.Second, "the queue to drain", func() bool {
		return a.Stats().Queued == 0 && len(it.cp.accepted()) >= before+10
	})
}

// checkDeliveredAll checks, after the agent stopped, that every report it
// measured was delivered exactly once and in order.
func (it *integration) checkDeliveredAll(a *agent.Agent) {
	t := it.t
	st := a.Stats()
	rs := it.cp.accepted()
	if st.Dropped != 0 || st.Rejected != 0 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
	if uint64(len(rs)) != st.Measured || st.Delivered != st.Measured {
		t.Fatalf("measured %d, delivered %d, control plane accepted %d", st.Measured, st.Delivered, len(rs))
	}
	for i := 1; i < len(rs); i++ {
		if !rs[i].ReportedAt.After(rs[i-1].ReportedAt) {
			t.Fatalf("report %d (%v) is not after report %d (%v)", i, rs[i].ReportedAt, i-1, rs[i-1].ReportedAt)
		}
	}
}
