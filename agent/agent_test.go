package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// runFake runs an agent on a fake kernel device against a fake control
// plane until stop is called.
func runFake(t *testing.T, dev *fakeDevice, src *configSource, sink *reportSink) (a *Agent, stop func() error) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/api/report", sink)
	mux.Handle("/api/agent/config", src)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	a, err := New(Config{
		ControlPlane: u, ServerID: "la", Token: "tok", Interval: 20 * time.Millisecond, StateDir: t.TempDir(),
		OpenDevice: func() (Device, error) { return dev, nil },
		BackoffMin: time.Millisecond, BackoffMax: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return a, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s")
			return nil
		}
	}
}

func TestRunKeepsTheDeviceKeyAndSetsThePort(t *testing.T) {
	priv := testKey(42)
	dev := &fakeDevice{dev: wgtypes.Device{PrivateKey: priv, PublicKey: priv.PublicKey()}}
	src := &configSource{cfg: agentConfig(5, 1)}
	sink := &reportSink{}
	a, stop := runFake(t, dev, src, sink)
	// Reports built before the config was applied may arrive after it
	// was: wait for one that carries the applied version.
	deadline := time.Now().Add(5 * time.Second)
	for last, ok := sink.last(); !ok || last.AppliedVersion != 5 || a.Stats().Delivered < 3; last, ok = sink.last() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v, last report %+v", a.Stats(), last)
		}
		<-time.After(10 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	first := dev.configured[0]
	if first.PrivateKey != nil || first.ListenPort == nil || *first.ListenPort != DefaultListenPort || len(first.Peers) != 0 {
		t.Fatalf("first ConfigureDevice = %+v, want only the listen port", first)
	}
	if dev.dev.PrivateKey != priv || len(dev.peers()) != 1 {
		t.Fatalf("device key changed or peers %d", len(dev.peers()))
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	last := sink.accepted[len(sink.accepted)-1]
	if last.Interface.PublicKey != priv.PublicKey().String() || last.AppliedVersion != 5 || last.Peers != 1 {
		t.Fatalf("last report %+v", last)
	}
}

func TestRunNeedsAKey(t *testing.T) {
	dev := &fakeDevice{}
	_, stop := runFake(t, dev, &configSource{cfg: agentConfig(1)}, &reportSink{})
	if err := stop(); !errors.Is(err, ErrNoPrivateKey) {
		t.Fatalf("Run = %v, want ErrNoPrivateKey", err)
	}
	if dev.configureCount() != 0 {
		t.Fatal("device changed without a key")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	u, _ := url.Parse("ftp://x")
	for _, c := range []Config{{}, {ControlPlane: u, ServerID: "la", Token: "t"}} {
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v", c, err)
		}
	}
	good, _ := url.Parse("http://127.0.0.1:8080")
	a, err := New(Config{ControlPlane: good, ServerID: "la", Token: "t", Interval: time.Second, Userspace: true, StateDir: "/s"})
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.QueueCapacity != 3600 || a.cfg.BatchSize != 500 || a.cfg.PrivateKeyFile != "/s/wg0.key" {
		t.Fatalf("defaults %+v", a.cfg)
	}
}
