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

// StartEmbedded starts the broker with its state in dataDir/log, listening
// on 127.0.0.1:port (0 picks a free port). Every write is fsynced.
func StartEmbedded(dataDir string, port int, logger *slog.Logger) (*Embedded, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(dataDir, "log")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded broker: create %s: %w", dir, err)
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DataDir(dir),
		kfake.SyncWrites(),
		kfake.WithLogger(kfakeLogger{logger}),
	)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: start on port %d with %s: %w", port, dir, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		return nil, fmt.Errorf("embedded broker: expected 1 listener, got %d", len(addrs))
	}
	logger.Info("embedded broker started", "addr", addrs[0], "dir", dir)
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
