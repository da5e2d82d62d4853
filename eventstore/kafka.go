package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
	"github.com/segmentio/kafka-go/compress/snappy"
)

// kafka-go's Snappy writer defaults to s2's "better" block encoder; the
// plain one costs about half the CPU per produce for slightly larger
// batches (docs/PERFORMANCE.md). The codec is kafka-go's global one:
// every KafkaLog in the process uses it, and nothing else here produces.
func init() { compress.SnappyCodec.Compression = snappy.FasterCompression }

// Config configures a KafkaLog.
type Config struct {
	// Brokers are the bootstrap addresses, host:port.
	Brokers []string
	// CallTimeout bounds every call whose context has no deadline; zero
	// means 10s.
	CallTimeout time.Duration
	// ProduceLinger is how long an append to the reports topic may wait
	// for others to share its produce request (see linger.go); zero:
	// none, every request goes as soon as the last one is answered.
	ProduceLinger time.Duration
	Logger        *slog.Logger
}

// KafkaLog is the Log on a Kafka cluster (or the embedded broker).
type KafkaLog struct {
	client      *kafka.Client
	transport   *kafka.Transport
	balancer    *kafka.Hash
	queues      sync.Map // queueKey -> *leaderQueue
	layouts     layoutCache
	drains      sync.WaitGroup
	closeMu     sync.RWMutex
	log         *slog.Logger
	callTimeout time.Duration
	closed      atomic.Bool
	linger      time.Duration // ProduceLinger
	done        chan struct{} // closed by Close: lingering drains send at once
}

var _ Log = (*KafkaLog)(nil)

// NewKafkaLog connects lazily to the brokers: no request is sent here.
func NewKafkaLog(cfg Config) (*KafkaLog, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka log: no brokers configured")
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
		balancer:    &kafka.Hash{},
		linger:      max(cfg.ProduceLinger, 0),
		done:        make(chan struct{}),
	}
	return l, nil
}

// Append writes msgs and waits until the brokers acknowledged each
// (acks=all); appends running at the same time share produce requests
// (see append.go). Messages that fail transiently, as right after a
// broker restart, are retried with backoff until the deadline; messages
// already acknowledged are not written again.
func (l *KafkaLog) Append(ctx context.Context, topic string, msgs ...Message) ([]Position, error) {
	if l.closed.Load() {
		return nil, ErrClosed
	}
	ctx, cancel := withDefaultDeadline(ctx, l.callTimeout)
	defer cancel()
	leaders, err := l.layout(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("append to %s: %w", topic, err)
	}
	n := len(leaders)
	pos := make([]Position, len(msgs))
	byPart := l.byPartition(msgs, n)
	err = retry(ctx, l.log, "append to "+topic, func(ctx context.Context) error {
		if l.closed.Load() {
			return permanent(ErrClosed)
		}
		failed, err := l.appendOnce(ctx, topic, msgs, pos, byPart)
		byPart = failed
		if err != nil && errors.Is(err, kafka.MessageSizeTooLarge) {
			return permanent(err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pos, nil
}

// lingerFor is how long appends to topic may linger.
func (l *KafkaLog) lingerFor(topic string) time.Duration {
	if topic == TopicReports {
		return l.linger
	}
	return 0
}

// Close waits for produce requests in flight and releases pooled
// connections; appends after it fail with ErrClosed.
func (l *KafkaLog) Close() error {
	l.closeMu.Lock()
	already := l.closed.Swap(true)
	l.closeMu.Unlock()
	if already {
		return nil
	}
	close(l.done)
	l.drains.Wait()
	l.transport.CloseIdleConnections()
	return nil
}
