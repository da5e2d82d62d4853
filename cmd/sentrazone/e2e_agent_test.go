package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/agent"
	"github.com/sentrazone/sentrazone/agent/agenttest"
)

const (
	edgeID       = "edge-1"
	edgeIface    = "szedge0"
	edgeWGPort   = 51820
	edgeInterval = 200 * time.Millisecond
)

// The control plane (embedded default) and a real agent with userspace
// WireGuard, in a network and mount namespace of the test's own: the peer
// an admin creates reaches the device, a client built from the peer's
// config shakes hands and fetches a page through the tunnel, the control
// plane sees the handshake and the traffic, disabling the peer stops the
// traffic, and no report is lost while the control plane is down.
func TestAgentEndToEndWithRealHandshake(t *testing.T) {
	if !agenttest.Isolated(t) {
		return
	}
	started := time.Now().UTC().Truncate(time.Second)
	c := embeddedConfig(t)
	c.OfflineAfter = 3 * time.Second
	srv := start(t, c)
	c.Listen = srv.Addr() // restart on the same address later
	api := newClient(t, "http://"+srv.Addr())
	admin := api.as(api.login(adminEmail, adminPassword))
	var reg struct {
		AgentToken string `json:"agent_token"`
	}
	admin.expect(201, "POST", "/api/servers", map[string]string{"id": edgeID,
		"endpoint": fmt.Sprintf("127.0.0.1:%d", edgeWGPort)}).json(t, &reg)

	ag, stopAgent := startAgent(t, "http://"+srv.Addr(), reg.AgentToken)
	wg, err := wgctrl.New()
	if err != nil {
		t.Fatal(err)
	}
	defer wg.Close()
	var reported string
	eventually(t, 10*time.Second, "server online with its public key", func() bool {
		var servers []struct {
			PublicKey *string `json:"public_key"`
		}
		admin.expect(200, "GET", "/api/servers", nil).json(t, &servers)
		if len(servers) != 1 || servers[0].PublicKey == nil || !statuses(t, admin)[edgeID].Online {
			return false
		}
		reported = *servers[0].PublicKey
		return true
	})
	if dev := waitDevice(t, wg, "device", func(*wgtypes.Device) bool { return true }); dev.PublicKey.String() != reported {
		t.Fatalf("control plane shows public key %s, the device has %s", reported, dev.PublicKey)
	}

	var peer struct {
		ID        string `json:"id"`
		PublicKey string `json:"publicKey"`
	}
	admin.expect(201, "POST", "/api/wg-clients/"+edgeID, map[string]string{"name": "laptop"}).json(t, &peer)
	waitDevice(t, wg, "peer on the device", func(d *wgtypes.Device) bool { return hasPeer(d, peer.PublicKey) })

	page := serveBehindTunnel(t)
	config := string(admin.expect(200, "GET", "/api/wg-clients/"+edgeID+"/"+peer.ID+"/config", nil).body)
	client, err := agenttest.NewClient(config)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	tunnel := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DialContext: client.Net.DialContext, DisableKeepAlives: true}}
	eventually(t, 20*time.Second, "a page through the tunnel", func() bool { return fetch(tunnel, page) == nil })

	eventually(t, 10*time.Second, "handshake and traffic seen by the control plane", func() bool {
		var peers []struct {
			LatestHandshakeAt *string `json:"latestHandshakeAt"`
			TransferRx        uint64  `json:"transferRx"`
			TransferTx        uint64  `json:"transferTx"`
		}
		admin.expect(200, "GET", "/api/wg-clients/"+edgeID, nil).json(t, &peers)
		return len(peers) == 1 && peers[0].LatestHandshakeAt != nil && peers[0].TransferRx > 0 &&
			peers[0].TransferTx > 0 && statuses(t, admin)[edgeID].Peers == 1
	})

	admin.expect(200, "POST", "/api/wg-clients/"+edgeID+"/"+peer.ID+"/disable", nil)
	waitDevice(t, wg, "disabled peer gone from the device", func(d *wgtypes.Device) bool { return !hasPeer(d, peer.PublicKey) })
	if err := fetch(tunnel, page); err == nil {
		t.Fatal("traffic still flows through the tunnel of a disabled peer")
	}

	// The control plane goes away for several report intervals.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "reports queue while the control plane is down", func() bool {
		return ag.Stats().Queued >= 5
	})
	srv = start(t, c)
	eventually(t, 20*time.Second, "queued reports delivered", func() bool { return ag.Stats().Queued == 0 })
	stopAgent()
	st := ag.Stats()
	if st.Dropped != 0 || st.Rejected != 0 || st.Delivered != st.Measured {
		t.Fatalf("agent stats %+v: every measured report must be delivered", st)
	}
	checkEveryReportInHistory(t, srv, newClient(t, "http://"+srv.Addr()).as(admin.token), started, st.Measured)
}

func startAgent(t *testing.T, base, token string) (*agent.Agent, func()) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return agenttest.Run(t, agent.Config{
		ControlPlane: u, ServerID: edgeID, Token: token, Interface: edgeIface, ListenPort: edgeWGPort,
		Interval: edgeInterval, Userspace: true, PrivateKeyFile: filepath.Join(dir, "wg.key"), StateDir: dir,
		BackoffMin: 50 * time.Millisecond, BackoffMax: 500 * time.Millisecond, ShutdownFlush: 2 * time.Second,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
}

func waitDevice(t *testing.T, wg *wgctrl.Client, what string, cond func(*wgtypes.Device) bool) *wgtypes.Device {
	t.Helper()
	var d *wgtypes.Device
	eventually(t, 10*time.Second, what, func() bool {
		var err error
		d, err = wg.Device(edgeIface)
		return err == nil && cond(d)
	})
	return d
}

func hasPeer(d *wgtypes.Device, pub string) bool {
	for _, p := range d.Peers {
		if p.PublicKey.String() == pub {
			return true
		}
	}
	return false
}

// serveBehindTunnel serves a page on the server's tunnel address, once the
// agent has given the interface its address.
func serveBehindTunnel(t *testing.T) string {
	t.Helper()
	var ln net.Listener
	eventually(t, 10*time.Second, "tunnel address on the interface", func() bool {
		var err error
		ln, err = net.Listen("tcp", "10.8.0.1:8000")
		return err == nil
	})
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "hello through the tunnel")
	})}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://10.8.0.1:8000/"
}

func fetch(c *http.Client, page string) error {
	resp, err := c.Get(page)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if string(body) != "hello through the tunnel" {
		return fmt.Errorf("unexpected page %q", body)
	}
	return nil
}
