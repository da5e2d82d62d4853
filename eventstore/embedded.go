package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process, single-broker Kafka-protocol server on
// loopback whose log and consumer offsets persist in a data directory.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
	// closeSync makes what the broker wrote at its close durable and
	// releases the log's syncer.
	closeSync func() error
	logger    *slog.Logger
}

// EmbeddedOption changes how StartEmbedded runs the broker.
type EmbeddedOption func(*embeddedConfig)

type embeddedConfig struct {
	noSync bool
	// syncFS replaces the sync of the log's file system (tests).
	syncFS func() error
}

// WithoutFsync makes the broker leave its writes to the page cache instead
// of syncing them before it answers, as a Kafka broker does by default (it
// counts on replicas, not the disk, for durability). A single embedded
// broker has no replicas: this is for measuring serve against a stand-in
// for a Kafka cluster, not for keeping data.
func WithoutFsync() EmbeddedOption { return func(c *embeddedConfig) { c.noSync = true } }

// StartEmbedded starts the broker with its state in dataDir/log, listening
// on 127.0.0.1:port (0 picks a free port). Unless WithoutFsync is given,
// nothing is answered before the writes it depends on are on disk: on
// Linux each answer waits for a sync of the log's file system shared with
// the answers ready at the same time (durable.go), elsewhere the broker
// fsyncs every record batch.
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
	durable, closeSync, how := cfg.durability(dir, logger)
	kopts = append(kopts, durable...)
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		_ = closeSync()
		return nil, fmt.Errorf("embedded broker: start on port %d with %s: %w", port, dir, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		_ = closeSync()
		return nil, fmt.Errorf("embedded broker: expected 1 listener, got %d", len(addrs))
	}
	logger.Info("embedded broker started", "addr", addrs[0], "dir", dir, "durability", how)
	return &Embedded{cluster: c, addr: addrs[0], closeSync: closeSync, logger: logger}, nil
}

// durability returns the options that keep the broker's answers behind
// the disk, what to run once the broker is closed (a last sync, for what
// it wrote at its close, and the syncer's release), and how, for the log.
func (cfg embeddedConfig) durability(dir string, logger *slog.Logger) ([]kfake.Opt, func() error, string) {
	nop := func() error { return nil }
	if cfg.noSync {
		return nil, nop, "none"
	}
	syncFS, release := cfg.syncFS, nop
	if syncFS == nil {
		var err error
		if syncFS, release, err = dirSyncer(dir); err != nil {
			logger.Info("embedded broker: fsyncing every batch instead", "reason", err)
			return []kfake.Opt{kfake.SyncWrites()}, nop, "fsync per batch"
		}
	}
	closeSync := func() error { return errors.Join(syncFS(), release()) }
	group := newSyncGroup(syncFS)
	listen := func(network, addr string) (net.Listener, error) {
		ln, err := net.Listen(network, addr)
		if err != nil {
			return nil, err
		}
		return syncListener{Listener: ln, group: group}, nil
	}
	return []kfake.Opt{kfake.ListenFn(listen)}, closeSync, "a shared sync before each answer"
}

// Addr is the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// ApplyRetention drops records older than each topic's retention now
// rather than on the broker's own schedule.
func (e *Embedded) ApplyRetention() { e.cluster.ApplyRetention() }

// Close stops the broker and writes its state to disk. A failed last sync
// is the broker's to log: Close has no error to return.
func (e *Embedded) Close() {
	e.cluster.Close()
	if err := e.closeSync(); err != nil {
		e.logger.Error("embedded broker: sync at close", "err", err)
	}
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
