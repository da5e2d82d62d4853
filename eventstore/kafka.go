package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// Config configures a KafkaLog.
type Config struct {
	// Brokers are the bootstrap addresses, host:port.
	Brokers []string
	// BatchTimeout is how long the shared writer waits to fill a batch.
	// The kafka-go default of 1s makes synchronous appends far too slow;
	// zero means 2ms.
	BatchTimeout time.Duration
	// CallTimeout bounds every call whose context has no deadline; zero
	// means 10s.
	CallTimeout time.Duration
	Logger      *slog.Logger
}

// KafkaLog is the Log on a Kafka cluster (or the embedded broker).
type KafkaLog struct {
	client      *kafka.Client
	transport   *kafka.Transport
	writer      *kafka.Writer
	log         *slog.Logger
	callTimeout time.Duration
	closed      atomic.Bool
}

var _ Log = (*KafkaLog)(nil)

// NewKafkaLog connects lazily to the brokers: no request is sent here.
func NewKafkaLog(cfg Config) (*KafkaLog, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka log: no brokers configured")
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = 2 * time.Millisecond
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	transport := &kafka.Transport{
		DialTimeout: 5 * time.Second,
		IdleTimeout: 30 * time.Second,
		MetadataTTL: 10 * time.Second,
		ClientID:    "sentrazone",
	}
	addr := kafka.TCP(cfg.Brokers...)
	l := &KafkaLog{
		client:      &kafka.Client{Addr: addr, Transport: transport, Timeout: cfg.CallTimeout},
		transport:   transport,
		log:         cfg.Logger,
		callTimeout: cfg.CallTimeout,
	}
	l.writer = &kafka.Writer{
		Addr:         addr,
		Transport:    transport,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: cfg.BatchTimeout,
		BatchSize:    1000,
		BatchBytes:   8 << 20,
		MaxAttempts:  3,
		Completion:   recordPositions,
	}
	return l, nil
}

// recordPositions copies each written message's partition and offset into
// the Position its caller handed in through WriterData.
func recordPositions(msgs []kafka.Message, err error) {
	if err != nil {
		return
	}
	for i := range msgs {
		if p, ok := msgs[i].WriterData.(*Position); ok {
			p.Partition = msgs[i].Partition
			p.Offset = msgs[i].Offset
		}
	}
}

// Append writes msgs through the one shared writer and waits until the
// brokers acknowledged each (acks=all). Messages that fail transiently,
// as right after a broker restart, are retried with backoff until the
// deadline; messages already acknowledged are not written again.
func (l *KafkaLog) Append(ctx context.Context, topic string, msgs ...Message) ([]Position, error) {
	if l.closed.Load() {
		return nil, ErrClosed
	}
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	pos := make([]Position, len(msgs))
	pending := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		pending[i] = kafka.Message{Topic: topic, Key: m.Key, Value: m.Value, WriterData: &pos[i]}
	}
	err := retry(ctx, l.log, "append to "+topic, func(ctx context.Context) error {
		err := l.writer.WriteMessages(ctx, pending...)
		if err == nil {
			return nil
		}
		var werrs kafka.WriteErrors
		if errors.As(err, &werrs) && len(werrs) == len(pending) {
			failed := pending[:0:0]
			for i, e := range werrs {
				if e != nil {
					failed = append(failed, pending[i])
				}
			}
			pending = failed
		}
		var tooLarge kafka.MessageTooLargeError
		if errors.As(err, &tooLarge) || errors.Is(err, kafka.MessageSizeTooLarge) {
			return permanent(err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pos, nil
}

// Close flushes the writer and releases pooled connections.
func (l *KafkaLog) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	err := l.writer.Close()
	l.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("close kafka writer: %w", err)
	}
	return nil
}
