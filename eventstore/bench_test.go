package eventstore

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// benchMessages is a batch of 500 messages the size of binary reports.
func benchMessages() []Message {
	msgs := make([]Message, 500)
	for i := range msgs {
		msgs[i] = Message{Key: fmt.Appendf(nil, "server-%04d", i), Value: bytes.Repeat([]byte{byte(i)}, 340)}
	}
	return msgs
}

// BenchmarkAppend500 appends batches of 500 report-sized messages to the
// embedded broker (whose own work is in the figures too).
func BenchmarkAppend500(b *testing.B) {
	br := startBroker(b)
	br.ensure(DefaultTopics(1, 0)...) // as the embedded default
	msgs := benchMessages()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := br.log.Append(ctx, TopicReports, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
}

// BenchmarkFetch fetches report-sized messages back, a fetch's worth
// (fetchMaxBytes) at a time.
func BenchmarkFetch(b *testing.B) {
	br := startBroker(b)
	br.ensure(DefaultTopics(1, 0)...) // as the embedded default
	msgs := benchMessages()
	ctx := context.Background()
	const batches = 20
	for range batches {
		if _, err := br.log.Append(ctx, TopicReports, msgs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	records := 0
	for i := 0; b.Loop(); i++ {
		off := int64(i%batches) * int64(len(msgs))
		batch, err := br.log.Fetch(ctx, TopicReports, 0, off, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if len(batch.Records) < len(msgs) {
			b.Fatalf("fetched %d records at %d, want %d or more", len(batch.Records), off, len(msgs))
		}
		records += len(batch.Records)
	}
	b.ReportMetric(float64(records)/float64(b.N), "records/op")
}
