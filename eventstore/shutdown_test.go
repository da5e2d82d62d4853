package eventstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Every call runs under a deadline: with the broker gone, an append fails
// by its deadline and a consumer still stops promptly when cancelled.
func TestCallsDoNotHangWhenBrokerIsGone(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	appendN(t, b.log, TopicEvents, "agg", 0, 3)

	ctx, cancel := context.WithCancel(context.Background())
	col := &collector{}
	c := &Consumer{Log: b.log, Group: "g", Topic: TopicEvents, Handler: col.handle, MaxWait: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, 10*time.Second, func() bool { return col.count() == 3 }, func() string { return "consumer did not read 3 records" })

	b.emb.Close()
	b.emb = nil

	actx, acancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer acancel()
	start := time.Now()
	_, err := b.log.Append(actx, TopicEvents, Message{Key: []byte("agg"), Value: []byte("lost")})
	if err == nil {
		t.Fatal("append succeeded with no broker")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("append error: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("append took %v with a 500ms deadline", d)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("consumer did not stop within 5s with the broker gone")
	}
}
