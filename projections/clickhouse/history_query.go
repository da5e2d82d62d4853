package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sentrazone/sentrazone/projections"
)

// ErrInvalidQuery is returned for a history query whose Step is not
// positive.
var ErrInvalidQuery = errors.New("invalid history query")

// History returns one point per server and bucket of q.Step that holds at
// least one report in [q.From, q.To), sorted by server id, then time.
//
// When a rollup width divides the step, the buckets the rollups are
// complete for come from report_rollups and only the ends of the window
// (a partial first bucket, the buckets not yet closed) from reports; the
// parts are read at once and combined here. Either way the answer is the
// same.
func (s *HistoryStore) History(ctx context.Context, q projections.HistoryQuery) ([]projections.HistoryPoint, error) {
	if q.Step <= 0 {
		return nil, fmt.Errorf("clickhouse history: step %v: %w", q.Step, ErrInvalidQuery)
	}
	from, to := dateTimeBound(q.From), dateTimeBound(q.To)
	if from >= to {
		return []projections.HistoryPoint{}, nil
	}
	plan, err := s.plan(ctx, q.Step, from, to)
	if err != nil {
		return nil, fmt.Errorf("clickhouse history: %w", err)
	}
	parts := make([][]partial, len(plan.raw), len(plan.raw)+1)
	g, gctx := errgroup.WithContext(ctx)
	for i, r := range plan.raw {
		g.Go(func() (err error) {
			parts[i], err = s.readReports(gctx, q, r[0], r[1])
			return err
		})
	}
	var rolled []partial
	if plan.width > 0 {
		g.Go(func() (err error) {
			rolled, err = s.readRollups(gctx, q, plan)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("clickhouse history: %w", err)
	}
	if plan.width > 0 {
		parts = append(parts, rolled) // the longest list last: see mergePartials
		defer sparePartials.put(rolled)
	}
	return mergePartials(parts), nil
}

// historyPlan says where History reads what: the seconds [a, b) of each
// raw range from reports, the buckets starting in [rollFrom, rollTo) from
// rollups of width (none when 0).
type historyPlan struct {
	raw              [][2]uint64
	width            uint32
	rollFrom, rollTo uint64
}

// plan splits [from, to) (seconds) between rollups and reports: rollups
// for the whole buckets of the widest width dividing step that closed_to
// covers, reports for the rest.
func (s *HistoryStore) plan(ctx context.Context, step time.Duration, from, to uint64) (historyPlan, error) {
	all := historyPlan{raw: [][2]uint64{{from, to}}}
	w := rollupWidthFor(step)
	if w == 0 {
		return all, nil
	}
	closed, err := s.closedWidths(ctx)
	if err != nil {
		return historyPlan{}, err
	}
	rf := floorTo(from+uint64(w)-1, w)
	rt := min(floorTo(to, w), closed[w])
	if rf >= rt {
		return all, nil
	}
	p := historyPlan{width: w, rollFrom: rf, rollTo: rt}
	if from < rf {
		p.raw = append(p.raw, [2]uint64{from, rf})
	}
	if rt < to {
		p.raw = append(p.raw, [2]uint64{rt, to})
	}
	return p, nil
}

// rollupWidthFor returns the widest rollup width dividing step, 0 if none.
func rollupWidthFor(step time.Duration) uint32 {
	if step%time.Second != 0 {
		return 0
	}
	sec := uint64(step / time.Second)
	for i := len(rollupWidths) - 1; i >= 0; i-- {
		if sec%uint64(rollupWidths[i]) == 0 {
			return rollupWidths[i]
		}
	}
	return 0
}

// serverFilter returns " AND server_id IN (...)" and its args, or nothing
// when ids is empty (every server).
func serverFilter(ids []string) (string, []any) {
	if len(ids) == 0 {
		return "", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return " AND server_id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}

// dateTimeBound is the smallest whole second at or after t, clamped to
// [0, 2^32]: for a DateTime d (whole seconds), d >= t exactly when
// d >= dateTimeBound(t), and likewise for <.
func dateTimeBound(t time.Time) uint64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	switch {
	case sec < 0:
		return 0
	case sec > math.MaxUint32:
		return math.MaxUint32 + 1
	}
	return uint64(sec)
}
