package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is where the CPU time stood at one moment: the server's
// (--pid), the load generator's own, and the machine's idle and total
// time. On a machine whose speed moves from minute to minute, the
// server's CPU per report compares builds better than reports/s.
type cpuSample struct {
	at          time.Time
	pid         int           // the server's; 0 without --pid
	server      time.Duration // its CPU time
	self        time.Duration
	idle, total int64 // jiffies, from /proc/stat
}

func sampleCPU(pid int) (cpuSample, error) {
	s := cpuSample{at: time.Now(), pid: pid}
	var err error
	if pid > 0 {
		if s.server, err = procCPU(pid); err != nil {
			return s, fmt.Errorf("cpu of --pid %d: %w", pid, err)
		}
	}
	if s.self, err = procCPU(os.Getpid()); err != nil {
		return s, fmt.Errorf("own cpu: %w", err)
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, fmt.Errorf("machine cpu: %w", err)
	}
	s.idle, s.total, err = parseProcStat(string(b))
	return s, err
}

// parseProcStat sums the first line of /proc/stat ("cpu user nice system
// idle iowait irq softirq steal ..."); idle counts idle and iowait.
func parseProcStat(stat string) (idle, total int64, err error) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, errors.New("machine cpu: unexpected /proc/stat")
	}
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("machine cpu: /proc/stat field %d: %w", i+1, err)
		}
		total += n
		if i == 3 || i == 4 {
			idle += n
		}
	}
	return idle, total, nil
}

// printCPU writes the CPU used between a and b, per report accepted.
func printCPU(w io.Writer, a, b cpuSample, reports int64) {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return
	}
	cores := func(d time.Duration) float64 { return d.Seconds() / wall }
	perReport := func(d time.Duration) string {
		if reports == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f µs/report", float64(d.Microseconds())/float64(reports))
	}
	idle := 0.0
	if t := b.total - a.total; t > 0 {
		idle = 100 * float64(b.idle-a.idle) / float64(t)
	}
	fmt.Fprintf(w, "cpu: load generator %.2f cores (%s); machine idle %.0f%%", cores(b.self-a.self), perReport(b.self-a.self), idle)
	if b.pid > 0 {
		fmt.Fprintf(w, "; server %.2f cores (%s)", cores(b.server-a.server), perReport(b.server-a.server))
	}
	fmt.Fprintln(w)
}
