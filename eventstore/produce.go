package eventstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	produceapi "github.com/segmentio/kafka-go/protocol/produce"
)

// partBatch is one partition's share of a produce request.
type partBatch struct {
	partition int
	pieces    []*piece
	count     int
}

// produce writes pieces, one record batch per partition, in one request
// and sets each piece's positions or error.
func (l *KafkaLog) produce(topic string, pieces []*piece) {
	var batches []partBatch
	for _, pc := range pieces {
		i := 0
		for i < len(batches) && batches[i].partition != pc.partition {
			i++
		}
		if i == len(batches) {
			batches = append(batches, partBatch{partition: pc.partition})
		}
		batches[i].pieces = append(batches[i].pieces, pc)
		batches[i].count += len(pc.msgs)
	}
	errs := l.produceBatches(topic, batches)
	for i, b := range batches {
		for _, pc := range b.pieces {
			pc.err = errs[i]
		}
	}
	for _, err := range errs {
		if err != nil {
			l.forgetLayout(topic) // a leader may have moved
			return
		}
	}
}

// produceBatches sends batches in one produce request (acks=all) and
// returns each batch's error; it fills in the positions of those written.
func (l *KafkaLog) produceBatches(topic string, batches []partBatch) []error {
	errs := make([]error, len(batches))
	fail := func(err error) []error {
		for i, b := range batches {
			errs[i] = fmt.Errorf("produce %d records to %s/%d: %w", b.count, topic, b.partition, err)
		}
		return errs
	}
	if l.closed.Load() {
		return fail(ErrClosed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.callTimeout)
	defer cancel()
	now := time.Now()
	parts := make([]produceapi.RequestPartition, len(batches))
	total := 0
	for _, b := range batches {
		total += b.count
	}
	// One allocation for every record's key and value readers, and one
	// for the records: kafka.NewBytes allocates a reader per key and per
	// value, and kafka.NewRecordReader copies the records once more.
	readers := make([]byteReader, 2*total)
	recs := make([]kafka.Record, 0, total)
	for i, b := range batches {
		first := len(recs)
		for _, pc := range b.pieces {
			for _, m := range pc.msgs {
				n := len(recs)
				recs = append(recs, kafka.Record{Time: now, Key: readers[2*n].of(m.Key), Value: readers[2*n+1].of(m.Value)})
			}
		}
		parts[i] = produceapi.RequestPartition{
			Partition: int32(b.partition),
			RecordSet: protocol.RecordSet{
				// Snappy shrinks a batch of JSON events 5–7× and of
				// binary reports 2.6–4.6×: less to write, fsync and
				// fetch, for less CPU than it saves
				// (docs/PERFORMANCE.md). LZ4 does as well in production
				// but is 25× slower under -race.
				Attributes: protocol.Attributes(kafka.Snappy) & 7,
				Records:    &recordList{recs: recs[first:]},
			},
		}
	}
	m, err := l.transport.RoundTrip(ctx, l.client.Addr, &produceapi.Request{
		Acks:    int16(kafka.RequireAll),
		Timeout: int32(l.callTimeout.Milliseconds()),
		Topics:  []produceapi.RequestTopic{{Topic: topic, Partitions: parts}},
	})
	if err != nil {
		return fail(err)
	}
	res, ok := m.(*produceapi.Response)
	if !ok {
		return fail(fmt.Errorf("unexpected produce response %T", m))
	}
	for i, b := range batches {
		p := answerFor(res, topic, b.partition)
		switch {
		case p == nil:
			errs[i] = fmt.Errorf("produce %d records to %s/%d: no answer for the partition", b.count, topic, b.partition)
		case p.ErrorCode != 0:
			err := error(kafka.Error(p.ErrorCode))
			if p.ErrorMessage != "" {
				err = fmt.Errorf("%w: %s", err, p.ErrorMessage)
			}
			errs[i] = fmt.Errorf("produce %d records to %s/%d: %w", b.count, topic, b.partition, err)
		default:
			off := p.BaseOffset
			for _, pc := range b.pieces {
				for _, pos := range pc.pos {
					pos.Partition, pos.Offset = b.partition, off
					off++
				}
			}
		}
	}
	return errs
}

// answerFor finds partition's answer in res.
func answerFor(res *produceapi.Response, topic string, partition int) *produceapi.ResponsePartition {
	for i := range res.Topics {
		t := &res.Topics[i]
		if t.Topic != topic {
			continue
		}
		for j := range t.Partitions {
			if int(t.Partitions[j].Partition) == partition {
				return &t.Partitions[j]
			}
		}
	}
	return nil
}

// byteReader is a record's key or value as kafka-go's encoder reads it.
type byteReader struct{ bytes.Reader }

func (*byteReader) Close() error { return nil }

// of points r at b and returns it, or nil for a nil b (a null key).
func (r *byteReader) of(b []byte) kafka.Bytes {
	if b == nil {
		return nil
	}
	r.Reset(b)
	return r
}

// recordList hands records to kafka-go's batch encoder in order, in
// place.
type recordList struct {
	recs []kafka.Record
	next int
}

func (l *recordList) ReadRecord() (*kafka.Record, error) {
	if l.next == len(l.recs) {
		return nil, io.EOF
	}
	l.next++
	return &l.recs[l.next-1], nil
}
