package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// latencies is an exact sample of request latencies; every request is
// kept (runs are bounded), so percentiles are exact.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
}

// percentiles returns p50, p95, p99 and the maximum.
func (l *latencies) percentiles() (p50, p95, p99, top time.Duration) {
	l.mu.Lock()
	s := slices.Clone(l.all)
	l.mu.Unlock()
	if len(s) == 0 {
		return
	}
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return at(0.50), at(0.95), at(0.99), s[len(s)-1]
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

// statusCounts counts responses by HTTP status (0: transport error).
type statusCounts struct {
	mu sync.Mutex
	m  map[int]int
}

func (s *statusCounts) add(status int) {
	s.mu.Lock()
	if s.m == nil {
		s.m = map[int]int{}
	}
	s.m[status]++
	s.mu.Unlock()
}

// errors formats every non-2xx count, "none" when there is none.
func (s *statusCounts) errors() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for st, n := range s.m {
		if st >= 200 && st < 300 {
			continue
		}
		name := fmt.Sprint(st)
		if st == 0 {
			name = "transport"
		}
		parts = append(parts, fmt.Sprintf("%s=%d", name, n))
	}
	if len(parts) == 0 {
		return "none"
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// printLatency writes one "name: n=.. p50=.. p95=.. p99=.. max=.." line.
func printLatency(w io.Writer, name string, l *latencies) {
	p50, p95, p99, mx := l.percentiles()
	fmt.Fprintf(w, "%s: n=%d p50=%s p95=%s p99=%s max=%s\n", name, l.count(), ms(p50), ms(p95), ms(p99), ms(mx))
}
