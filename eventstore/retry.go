package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff computes capped exponential delays with full jitter.
type Backoff struct {
	Min, Max time.Duration
	attempt  int
}

// Next returns the delay before the next attempt and counts it.
func (b *Backoff) Next() time.Duration {
	ceiling := b.Min << min(b.attempt, 20)
	if ceiling > b.Max || ceiling <= 0 {
		ceiling = b.Max
	}
	b.attempt++
	half := ceiling / 2
	return half + rand.N(half+1)
}

// Reset starts the sequence again after a success.
func (b *Backoff) Reset() { b.attempt = 0 }

// Wait sleeps for the next delay or until ctx is done.
func (b *Backoff) Wait(ctx context.Context) error {
	t := time.NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// permanent marks an error that retrying cannot fix.
func permanent(err error) error { return permanentError{err} }

// retry runs op until it succeeds, fails permanently, or ctx ends. It
// covers the moments after a broker restart when pooled connections fail.
func retry(ctx context.Context, log *slog.Logger, what string, op func(context.Context) error) error {
	b := Backoff{Min: 20 * time.Millisecond, Max: time.Second}
	for {
		err := op(ctx)
		if err == nil {
			return nil
		}
		var perm permanentError
		if errors.As(err, &perm) {
			return fmt.Errorf("%s: %w", what, perm.err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		}
		log.Debug("event log call failed, retrying", "op", what, "err", err)
		if werr := b.Wait(ctx); werr != nil {
			return fmt.Errorf("%s: %w (last error: %v)", what, werr, err)
		}
	}
}

// withDefaultDeadline bounds ctx by d unless it already has a deadline.
func withDefaultDeadline(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
