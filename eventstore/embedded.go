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
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
}

// EmbeddedOption changes how StartEmbedded runs the broker.
type EmbeddedOption func(*embeddedConfig)

type embeddedConfig struct{ noSync bool }

// WithoutFsync makes the broker leave its writes to the page cache instead
// of fsyncing every record batch, as a Kafka broker does by default (it
// counts on replicas, not the disk, for durability). A single embedded
// broker has no replicas: this is for measuring serve against a stand-in
// for a Kafka cluster, not for keeping data.
func WithoutFsync() EmbeddedOption { return func(c *embeddedConfig) { c.noSync = true } }

// StartEmbedded starts the broker with its state in dataDir/log, listening
// on 127.0.0.1:port (0 picks a free port). Every write is fsynced unless
// WithoutFsync is given.
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
	if !cfg.noSync {
		kopts = append(kopts, kfake.SyncWrites())
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: start on port %d with %s: %w", port, dir, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		return nil, fmt.Errorf("embedded broker: expected 1 listener, got %d", len(addrs))
	}
	logger.Info("embedded broker started", "addr", addrs[0], "dir", dir, "fsync", !cfg.noSync)
	return &Embedded{cluster: c, addr: addrs[0]}, nil
}

// Addr is the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// ApplyRetention drops records older than each topic's retention now
// rather than on the broker's own schedule.
func (e *Embedded) ApplyRetention() { e.cluster.ApplyRetention() }

// Close stops the broker and writes its state to disk.
func (e *Embedded) Close() { e.cluster.Close() }

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
