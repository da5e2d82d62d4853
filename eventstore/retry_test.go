package eventstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
)

// retryLog is a slog.Handler that keeps the op of every retried call.
type retryLog struct {
	mu  sync.Mutex
	ops []string
}

func (h *retryLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *retryLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *retryLog) WithGroup(string) slog.Handler            { return h }

func (h *retryLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "event log call failed, retrying" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "op" {
			h.mu.Lock()
			h.ops = append(h.ops, a.Value.String())
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *retryLog) count(op string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, o := range h.ops {
		if o == op {
			n++
		}
	}
	return n
}

// A restart breaks the log's pooled connections: the first produce after
// it fails, and Append must retry it to success, writing each message once.
func TestAppendRetriesAfterRestartBrokePooledConnections(t *testing.T) {
	b := startBroker(t)
	b.ensure()
	retries := &retryLog{}
	l, err := NewKafkaLog(Config{Brokers: []string{b.emb.Addr()}, Logger: slog.New(retries)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	msgs := make([]Message, 48) // spread over the reports partitions
	for i := range msgs {
		k := fmt.Sprintf("srv-%d", i)
		msgs[i] = Message{Key: []byte(k), Value: []byte(k)}
	}
	if _, err := l.Append(ctxT(t), TopicReports, msgs...); err != nil {
		t.Fatal(err)
	}
	before := retries.count("append to " + TopicReports)

	b.restart() // l's connections now point at the stopped broker

	pos, err := l.Append(ctxT(t), TopicReports, msgs...)
	if err != nil {
		t.Fatalf("append after restart: %v", err)
	}
	if retries.count("append to "+TopicReports) == before {
		t.Fatal("append after restart succeeded at once: the broken connections this test covers did not occur")
	}
	stored := map[Position]string{}
	n := 0
	for _, recs := range readAll(t, l, TopicReports) {
		for _, r := range recs {
			stored[Position{r.Partition, r.Offset}] = string(r.Value)
			n++
		}
	}
	if n != 2*len(msgs) {
		t.Fatalf("read back %d records, appended %d: a retry lost or duplicated some", n, 2*len(msgs))
	}
	for i, p := range pos {
		if stored[p] != string(msgs[i].Value) {
			t.Fatalf("position %+v holds %q, Append said %q", p, stored[p], msgs[i].Value)
		}
	}
}
