package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/ingest/secrets"
	"github.com/sentrazone/sentrazone/projections"
	"github.com/sentrazone/sentrazone/projections/memhistory"
	"github.com/sentrazone/sentrazone/projections/memstate"
)

// platform is the log and the stores a command runs on.
type platform struct {
	cfg      *config
	logger   *slog.Logger
	embedded *eventstore.Embedded
	log      *eventstore.KafkaLog
	state    projections.StateStore
	history  projections.HistoryStore
	keys     secrets.KeyStore
	sealer   *secrets.Sealer
	closers  []func()
}

// openPlatform connects to (or starts) the log, creates the topics, and
// opens the read models and key store the config names.
func openPlatform(ctx context.Context, c *config, logger *slog.Logger) (_ *platform, err error) {
	p := &platform{cfg: c, logger: logger}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", c.DataDir, err)
	}
	brokers := c.brokers()
	if len(brokers) == 0 {
		unlock, err := lockDataDir(c.DataDir)
		if err != nil {
			return nil, err
		}
		p.closers = append(p.closers, unlock)
		emb, err := eventstore.StartEmbedded(c.DataDir, 0, logger)
		if err != nil {
			return nil, err
		}
		p.embedded = emb
		p.closers = append(p.closers, emb.Close)
		brokers = []string{emb.Addr()}
	}
	kl, err := eventstore.NewKafkaLog(eventstore.Config{Brokers: brokers, ProduceLinger: c.ProduceLinger, Logger: logger})
	if err != nil {
		return nil, err
	}
	p.log = kl
	p.closers = append(p.closers, func() { _ = kl.Close() })
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := kl.EnsureTopics(tctx, eventstore.DefaultTopics(c.reportPartitions(), 0)); err != nil {
		return nil, fmt.Errorf("kafka %v: %w", brokers, err)
	}
	if err := p.openStores(ctx); err != nil {
		return nil, err
	}
	mk, err := masterKey(c)
	if err != nil {
		return nil, err
	}
	if p.sealer, err = secrets.NewSealer(mk, p.keys); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *platform) openStores(ctx context.Context) error {
	c := p.cfg
	if c.PostgresURL != "" {
		if err := p.openPostgres(ctx); err != nil {
			return err
		}
	} else {
		fs, err := secrets.NewFileStore(filepath.Join(c.DataDir, "keys"))
		if err != nil {
			return err
		}
		p.keys = fs
		p.state = memstate.New(fs)
	}
	if c.ClickHouseURL != "" {
		return p.openClickHouse(ctx)
	}
	p.history = memhistory.New(memhistory.KeepFor(projections.HistoryRetention))
	return nil
}

// Close releases everything in reverse order of opening.
func (p *platform) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
	p.closers = nil
}

// replay runs the projector until the stores hold everything in the log
// now, then leaves it running until ctx ends; it returns the projector.
func (p *platform) replay(ctx context.Context, limit time.Duration) (*projections.Projector, error) {
	proj := projections.NewProjector(p.log, p.state, p.history, p.logger)
	errc := make(chan error, 1)
	go func() { errc <- proj.Run(ctx) }()
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	if err := proj.CatchUp(cctx); err != nil {
		select {
		case rerr := <-errc:
			return nil, errors.Join(err, rerr)
		default:
		}
		return nil, err
	}
	p.logger.Info("read models caught up with the log", "took", time.Since(start).Round(time.Millisecond).String())
	return proj, nil
}
