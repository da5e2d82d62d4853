package agent_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/sentrazone/sentrazone/agent"
	"github.com/sentrazone/sentrazone/agent/agenttest"
	"github.com/sentrazone/sentrazone/domain"
)

const (
	testServerID   = "test-server"
	testListenPort = 51820 // free: the test has its own network namespace
	testInterval   = 100 * time.Millisecond
)

// integration is the state shared by the phases of TestAgentUserspace.
type integration struct {
	t        *testing.T
	cp       *fakeCP
	wg       *wgctrl.Client
	iface    string
	stateDir string
	client   wgtypes.Key // the netstack client's private key
	psk      wgtypes.Key
	other    wgtypes.Key // a peer that gets disabled
}

// TestAgentUserspace runs the agent with its own wireguard-go device in a
// private network and mount namespace, against a fake control plane on
// loopback: it applies desired peers, removes a disabled one, keeps a
// hand-made one, reports the device, lets a real client shake hands,
// queues reports through an outage and delivers them all in order, and
// keeps its key across a restart.
func TestAgentUserspace(t *testing.T) {
	if !agenttest.Isolated(t) {
		return
	}
	it := &integration{
		t: t, iface: uniqueInterface(), stateDir: t.TempDir(),
		client: mustKey(t), psk: mustKey(t), other: mustKey(t),
	}
	it.cp = newFakeCP(t, it.config(1, true))
	wg, err := wgctrl.New()
	if err != nil {
		t.Fatal(err)
	}
	defer wg.Close()
	it.wg = wg

	a, stop := it.start()
	pub := it.checkApplied(1)
	it.checkDisable()
	it.checkHandshake()
	it.checkOutage(a)
	stop()
	it.checkDeliveredAll(a)

	// A restart recreates the device with the same key and the same peers.
	_, stop = it.start()
	defer stop()
	if again := it.checkApplied(2); again != pub {
		t.Fatalf("public key changed across a restart: %s, then %s", pub, again)
	}
}

// config is the desired state at version v; the other peer only when
// withOther.
func (it *integration) config(v int64, withOther bool) domain.AgentConfig {
	peers := []domain.AgentPeer{{
		PublicKey: it.client.PublicKey().String(), PresharedKey: it.psk.String(), AllowedIPs: []string{"10.8.0.2/32"},
	}}
	if withOther {
		peers = append(peers, domain.AgentPeer{PublicKey: it.other.PublicKey().String(), AllowedIPs: []string{"10.8.0.3/32"}})
	}
	slices.SortFunc(peers, func(a, b domain.AgentPeer) int { return strings.Compare(a.PublicKey, b.PublicKey) })
	return domain.AgentConfig{ServerID: testServerID, Version: v, Address: "10.8.0.1/24", Peers: peers}
}

// start runs an agent; stop cancels it and waits (at most 5 s) for Run.
func (it *integration) start() (*agent.Agent, func()) {
	t := it.t
	return agenttest.Run(t, agent.Config{
		ControlPlane: it.cp.URL, ServerID: testServerID, Token: fakeToken,
		Interface: it.iface, ListenPort: testListenPort, Interval: testInterval,
		Userspace: true, PrivateKeyFile: filepath.Join(it.stateDir, "wg.key"), StateDir: it.stateDir,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, ShutdownFlush: 2 * time.Second,
		Logger: testLogger(t),
	})
}

// device reads the agent's device through its UAPI socket.
func (it *integration) device() *wgtypes.Device {
	d, err := it.wg.Device(it.iface)
	if err != nil {
		it.t.Fatalf("read device %s: %v", it.iface, err)
	}
	return d
}

// waitDevice polls until the device exists and cond holds.
func (it *integration) waitDevice(what string, cond func(*wgtypes.Device) bool) *wgtypes.Device {
	var d *wgtypes.Device
	eventually(it.t, 10*time.Second, what, func() bool {
		var err error
		d, err = it.wg.Device(it.iface)
		return err == nil && cond(d)
	})
	return d
}

// lastReport returns the newest accepted report, if any.
func (it *integration) lastReport() (agent.Report, error) {
	rs := it.cp.accepted()
	if len(rs) == 0 {
		return agent.Report{}, errors.New("no report yet")
	}
	return rs[len(rs)-1], nil
}
