package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
	"github.com/sentrazone/sentrazone/projections"
)

// openForAdmin parses store flags (plus extra ones bound by bind), opens
// the platform and brings the read models up to date.
func openForAdmin(ctx context.Context, name string, args []string, getenv func(string) string,
	stderr io.Writer, bind func(*flag.FlagSet)) (*platform, *projections.Projector, context.CancelFunc, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindStores(fs, &c)
	if bind != nil {
		bind(fs)
	}
	if err := parseFlags(fs, args, getenv); err != nil {
		return nil, nil, nil, err
	}
	if err := c.validate(); err != nil {
		return nil, nil, nil, err
	}
	logger := newLogger(stderr, c.LogLevel)
	p, err := openPlatform(ctx, &c, logger)
	if err != nil {
		return nil, nil, nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	proj, err := p.replay(runCtx, 10*time.Minute)
	if err != nil {
		cancel()
		p.Close()
		return nil, nil, nil, err
	}
	return p, proj, func() { cancel(); p.Close() }, nil
}

func cmdUserAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email, password, role string
	p, proj, done, err := openForAdmin(ctx, "user add", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email (required)")
		fs.StringVar(&password, "password", "", "the user's password, 8 to 128 bytes (required)")
		fs.StringVar(&role, "role", "user", "admin or user")
	})
	if err != nil {
		return err
	}
	defer done()
	if role != string(domain.RoleAdmin) && role != string(domain.RoleUser) {
		return fmt.Errorf("invalid --role %q: want admin or user", role)
	}
	svc, err := ingest.NewService(ingest.Config{Log: p.log, State: p.state, Waiter: proj, Sealer: p.sealer, Logger: p.logger})
	if err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, ingest.Actor{Email: domain.ActorSystem}, email, password, domain.Role(role))
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "created %s user %s (id %s)\n", u.User.Role, u.User.Email, u.User.UserID)
	return nil
}

func cmdAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	p, _, done, err := openForAdmin(ctx, "audit verify", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer done()
	n, err := projections.VerifyAuditChain(ctx, p.state)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit chain ok: %d rows\n", n)
	return nil
}

func cmdRebuild(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindStores(fs, &c)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	if c.PostgresURL == "" && c.ClickHouseURL == "" {
		return errors.New("rebuild: nothing to rebuild: in-memory read models are rebuilt from the log at every start; set --postgres-url and/or --clickhouse-url")
	}
	logger := newLogger(stderr, c.LogLevel)
	p, err := openPlatform(ctx, &c, logger)
	if err != nil {
		return err
	}
	defer p.Close()
	if c.PostgresURL != "" {
		if err := p.state.Reset(ctx); err != nil {
			return fmt.Errorf("rebuild: reset state: %w", err)
		}
	}
	if c.ClickHouseURL != "" {
		if err := p.history.Reset(ctx); err != nil {
			return fmt.Errorf("rebuild: reset history: %w", err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	if _, err := p.replay(runCtx, time.Hour); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	n, err := projections.VerifyAuditChain(ctx, p.state)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	fmt.Fprintf(stdout, "rebuilt read models from the log in %v; audit chain ok: %d rows\n", time.Since(start).Round(time.Millisecond), n)
	return nil
}
