package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/api"
	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
	"github.com/sentrazone/sentrazone/projections"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	var c config
	fs := newServeFlags(&c)
	fs.SetOutput(stderr)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := c.validateServe(); err != nil {
		return err
	}
	logger := newLogger(stderr, c.LogLevel)
	srv, err := startServer(ctx, &c, logger)
	if err != nil {
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return srv.Close()
}

// server is a running control plane.
type server struct {
	p         *platform
	app       *fiber.App
	ln        *connListener
	cancel    context.CancelFunc
	drain     context.CancelFunc // ends long polls
	done      chan error
	logger    *slog.Logger
	closeOnce sync.Once
	closeErr  error
}

// Addr is where the API listens.
func (s *server) Addr() string { return s.ln.Addr().String() }

// startServer opens the platform, replays the read models, bootstraps the
// first admin and starts the API; it returns once the API listens.
func startServer(ctx context.Context, c *config, logger *slog.Logger) (_ *server, err error) {
	p, err := openPlatform(ctx, c, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	runCtx, cancel := context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	if c.PprofListen != "" {
		if err := startPprof(runCtx, c.PprofListen, logger); err != nil {
			return nil, err
		}
	}
	proj, err := p.replay(runCtx, 10*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("replay the log: %w", err)
	}
	go pruneHistory(runCtx, p.history, logger)
	svc, err := ingest.NewService(ingest.Config{Log: p.log, State: p.state, Waiter: proj, Sealer: p.sealer, Logger: logger,
		Changes: proj.EventsChanged})
	if err != nil {
		return nil, err
	}
	reports, err := ingest.NewReports(ingest.ReportsConfig{Log: p.log, State: p.state, Commands: svc, FleetToken: c.AgentToken,
		Format: c.ReportFormat, Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := bootstrapAdmin(ctx, c, p, svc, logger); err != nil {
		return nil, err
	}
	drainCtx, drain := context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			drain()
		}
	}()
	secret, err := jwtSecret(c)
	if err != nil {
		return nil, err
	}
	app, err := api.New(api.Config{
		Commands: svc, Reports: reports, State: p.state, History: p.history,
		Health: readiness{p: p, proj: proj, maxLag: 10000, log: logger}, JWTSecret: secret,
		OfflineAfter: c.OfflineAfter, Now: time.Now, Logger: logger, Draining: drainCtx,
	})
	if err != nil {
		return nil, err
	}
	tcp, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", c.Listen, err)
	}
	ln := newConnListener(tcp)
	s := &server{p: p, app: app, ln: ln, cancel: cancel, drain: drain, done: make(chan error, 1), logger: logger}
	go func() { s.done <- app.Listener(ln) }()
	logger.Info("sentrazone serving", "addr", ln.Addr().String(), "embedded_broker", p.embedded != nil,
		"postgres", c.PostgresURL != "", "clickhouse", c.ClickHouseURL != "")
	return s, nil
}

// Close stops the API (letting requests finish), then the projections and
// the log. Calling it again returns the first result.
func (s *server) Close() error {
	s.closeOnce.Do(func() {
		s.drain()
		err := s.shutdownHTTP()
		s.cancel()
		s.p.Close()
		select {
		case lerr := <-s.done:
			if lerr != nil && !errors.Is(lerr, net.ErrClosed) {
				err = errors.Join(err, lerr)
			}
		case <-time.After(5 * time.Second):
			_ = s.ln.Close()
			err = errors.Join(err, errors.New("the HTTP server did not stop within 5s of shutdown"))
		}
		s.closeErr = err
	})
	return s.closeErr
}

// shutdownHTTP stops accepting, lets requests in progress finish (10 s at
// most) and closes keep-alive connections, meanwhile closing connections
// that have sent nothing for a second.
func (s *server) shutdownHTTP() error {
	done := make(chan error, 1)
	go func() { done <- s.app.ShutdownWithTimeout(10 * time.Second) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("stop the HTTP server: %w", err)
			}
			return nil
		case <-tick.C:
			if n := s.ln.closeSilent(time.Second); n > 0 {
				s.logger.Debug("closed connections that sent no request", "count", n)
			}
		}
	}
}

// bootstrapAdmin creates the configured admin when no user exists yet.
func bootstrapAdmin(ctx context.Context, c *config, p *platform, svc *ingest.Service, logger *slog.Logger) error {
	if c.AdminEmail == "" {
		return nil
	}
	users, err := p.state.Users(ctx)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if len(users) > 0 {
		return nil
	}
	if _, err := svc.CreateUser(ctx, ingest.Actor{Email: domain.ActorSystem}, c.AdminEmail, c.AdminPassword, domain.RoleAdmin); err != nil {
		return fmt.Errorf("bootstrap admin (--admin-email, --admin-password): %w", err)
	}
	logger.Info("created the first admin", "email", c.AdminEmail)
	return nil
}

// pruneHistory drops history older than the retention every few minutes.
func pruneHistory(ctx context.Context, h projections.HistoryStore, logger *slog.Logger) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if err := h.Prune(ctx, time.Now().Add(-projections.HistoryRetention)); err != nil && ctx.Err() == nil {
			logger.Warn("prune history failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
