package agenttest

import (
	"context"
	"testing"
	"time"

	"github.com/sentrazone/sentrazone/agent"
)

// Run starts an agent with cfg for the test. stop cancels it and waits up
// to 5 s for Run to return (failing the test otherwise); it is also called
// at cleanup, and calling it twice is fine.
func Run(t *testing.T, cfg agent.Config) (*agent.Agent, func()) {
	t.Helper()
	a, err := agent.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("agent Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("agent did not stop within 5 s")
		}
	}
	t.Cleanup(stop)
	return a, stop
}
