package eventstore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process, single-broker Kafka-protocol server on
// loopback whose log and consumer offsets persist in a data directory.
//
// The broker acknowledges a produce once it wrote it, to the page cache,
// and serves it to fetches from then on; Sync makes everything
// acknowledged before it durable. A KafkaLog with Config.Durable set to
// Sync returns from no Append, and serves no record, before it is on
// disk, and its produce requests and fetches waiting at the same time
// share one sync. Clients that cannot call Sync (other processes) need
// FsyncEachBatch.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
	syncer  *syncer
}

// EmbeddedOption changes how StartEmbedded runs the broker.
type EmbeddedOption func(*embeddedConfig)

type embeddedConfig struct{ fsyncEachBatch bool }

// FsyncEachBatch makes the broker fsync every record batch it writes, in
// its request loop, before it acknowledges it: durability for clients in
// other processes, which cannot call Sync, at the cost of one fsync per
// partition per produce request.
func FsyncEachBatch() EmbeddedOption { return func(c *embeddedConfig) { c.fsyncEachBatch = true } }

// StartEmbedded starts the broker with its state in dataDir/log, listening
// on 127.0.0.1:port (0 picks a free port).
func StartEmbedded(dataDir string, port int, logger *slog.Logger, opts ...EmbeddedOption) (*Embedded, error) {
	var cfg embeddedConfig
	for _, o := range opts {
		o(&cfg)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(dataDir, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded broker: create %s: %w", dir, err)
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DataDir(dir),
		kfake.WithLogger(kfakeLogger{logger}),
	}
	if cfg.fsyncEachBatch {
		kopts = append(kopts, kfake.SyncWrites())
	}
	s, err := newSyncer(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		_ = s.close()
		return nil, fmt.Errorf("embedded broker: start on port %d with %s: %w", port, dir, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		_ = s.close()
		return nil, fmt.Errorf("embedded broker: expected 1 listener, got %d", len(addrs))
	}
	logger.Info("embedded broker started", "addr", addrs[0], "dir", dir, "fsync_each_batch", cfg.fsyncEachBatch)
	return &Embedded{cluster: c, addr: addrs[0], syncer: s}, nil
}

// Sync returns once everything the broker acknowledged before the call is
// on disk. Callers at the same time share one sync of the file system.
func (e *Embedded) Sync(ctx context.Context) error {
	if err := e.syncer.Sync(ctx); err != nil {
		return fmt.Errorf("embedded broker: %w", err)
	}
	return nil
}

// Addr is the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// ApplyRetention drops records older than each topic's retention now
// rather than on the broker's own schedule.
func (e *Embedded) ApplyRetention() { e.cluster.ApplyRetention() }

// Close stops the broker and writes its state to disk.
func (e *Embedded) Close() error {
	e.cluster.Close()
	if err := e.syncer.close(); err != nil {
		return fmt.Errorf("embedded broker: %w", err)
	}
	return nil
}

type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	var lv slog.Level
	switch level {
	case kfake.LogLevelError:
		lv = slog.LevelError
	case kfake.LogLevelWarn:
		lv = slog.LevelWarn
	default:
		return // info and debug are per request: far too chatty
	}
	k.l.Log(context.Background(), lv, "embedded broker: "+fmt.Sprintf(msg, args...))
}
