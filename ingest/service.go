package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/eventstore"
	"github.com/sentrazone/sentrazone/ingest/secrets"
	"github.com/sentrazone/sentrazone/projections"
)

// Actor is who sends a command and from where.
type Actor struct {
	Email string // a user's email, or domain.ActorSystem
	IP    string
}

// Waiter blocks until the read model has applied a record.
type Waiter interface {
	WaitApplied(ctx context.Context, topic string, partition int, offset int64) error
}

// Config wires a Service.
type Config struct {
	Log    eventstore.Log
	State  projections.StateReader
	Waiter Waiter
	Sealer *secrets.Sealer
	Now    func() time.Time
	Logger *slog.Logger
	// BcryptCost is the password hashing cost; zero means bcrypt's default.
	BcryptCost int
	// Changes, when set, returns a channel closed at the next change of
	// the read model's servers (long polls wake on it).
	Changes func() <-chan struct{}
}

// Service decides admin commands against the read model, appends their
// events and waits until the read model shows them (read your writes).
type Service struct {
	cfg   Config
	locks keyedMutex
	// dummyHash is compared against for unknown emails, so a login takes
	// as long whether or not the account exists.
	dummyHash []byte
}

// NewService checks cfg and builds the service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Log == nil || cfg.State == nil || cfg.Waiter == nil || cfg.Sealer == nil {
		return nil, errors.New("ingest: log, state, waiter and sealer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dummy, err := hashPassword("not a real password, only for timing", cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, dummyHash: dummy}, nil
}

// appendEvent encodes env and appends it to the events topic.
func (s *Service) appendEvent(ctx context.Context, env domain.Envelope) (eventstore.Position, error) {
	pos, err := s.appendEvents(ctx, []domain.Envelope{env})
	if err != nil {
		return eventstore.Position{}, err
	}
	return pos[0], nil
}

// appendEvents encodes envs and appends them to the events topic in one
// write.
func (s *Service) appendEvents(ctx context.Context, envs []domain.Envelope) ([]eventstore.Position, error) {
	msgs := make([]eventstore.Message, len(envs))
	for i, env := range envs {
		b, err := domain.Encode(env)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", env.Type, err)
		}
		msgs[i] = eventstore.Message{Key: []byte(env.AggregateID), Value: b}
	}
	pos, err := s.cfg.Log.Append(ctx, eventstore.TopicEvents, msgs...)
	if err != nil {
		what := string(envs[0].Type)
		if len(envs) > 1 {
			what = fmt.Sprintf("%d events from %s on", len(envs), what)
		}
		return nil, fmt.Errorf("append %s: %w", what, err)
	}
	return pos, nil
}

// waitAll waits until the read model applied every position in pos: the
// last of each partition.
func (s *Service) waitAll(ctx context.Context, pos []eventstore.Position) error {
	last := map[int]int64{}
	for _, p := range pos {
		if o, ok := last[p.Partition]; !ok || p.Offset > o {
			last[p.Partition] = p.Offset
		}
	}
	for part, off := range last {
		if err := s.cfg.Waiter.WaitApplied(ctx, eventstore.TopicEvents, part, off); err != nil {
			return err
		}
	}
	return nil
}

// record appends an event and waits until the read model applied it.
func (s *Service) record(ctx context.Context, p domain.Payload, aggregateID string, seen int64, a Actor) error {
	env, err := domain.NewEvent(p, aggregateID, seen, a.Email, a.IP, s.cfg.Now())
	if err != nil {
		return err
	}
	pos, err := s.appendEvent(ctx, env)
	if err != nil {
		return err
	}
	return s.cfg.Waiter.WaitApplied(ctx, eventstore.TopicEvents, pos.Partition, pos.Offset)
}

// reject records a refused command for the audit log and returns err.
func (s *Service) reject(ctx context.Context, a Actor, command, target string, err error) error {
	var de *domain.Error
	if !errors.As(err, &de) {
		return err
	}
	aggregate := target
	if aggregate == "" {
		aggregate = command
	}
	if rerr := s.record(ctx, domain.NewCommandRejected(command, target, err), aggregate, 0, a); rerr != nil {
		s.cfg.Logger.Warn("could not record rejected command", "command", command, "target", target, "err", rerr)
	}
	return err
}

// maxAttempts bounds retries when other writers keep changing an aggregate.
const maxAttempts = 30

// errBusy is returned when an aggregate changed under every attempt.
func errBusy(what string) error {
	return &domain.Error{Kind: domain.KindConflict, Message: what + " is being changed by other requests; try again"}
}

// pause waits a little, with jitter, between attempts.
func pause(ctx context.Context, attempt int) error {
	b := eventstore.Backoff{Min: 2 * time.Millisecond, Max: 100 * time.Millisecond}
	for range attempt {
		b.Next()
	}
	return b.Wait(ctx)
}
