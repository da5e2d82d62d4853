package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func cmdQuery(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	var t target
	t.bind(fs)
	path := fs.String("path", "/api/statuses", "path and query to GET, e.g. '/api/history?server_id=a&server_id=b'")
	historyServers := fs.Int("history-servers", 0, "instead of --path: GET /api/history for this many seeded servers (ids --prefix000000...) at the default step")
	prefix := fs.String("prefix", "lg-", "server id prefix of --history-servers")
	conc := fs.Int("concurrency", 1, "requests in flight")
	dur := fs.Duration("duration", 10*time.Second, "how long to query")
	count := fs.Int64("count", 0, "stop after this many requests (0: only --duration)")
	accept := fs.String("accept-encoding", "", "ask for compressed answers (e.g. gzip, br); sizes are then as sent, and latency ends with the last compressed byte")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *conc < 1 || *dur <= 0 || *dur > 24*time.Hour {
		return errors.New("--concurrency must be positive and --duration in (0, 24h]")
	}
	if *historyServers > 0 {
		var b strings.Builder
		b.WriteString("/api/history?")
		for i := range *historyServers {
			if i > 0 {
				b.WriteByte('&')
			}
			fmt.Fprintf(&b, "server_id=%s%06d", *prefix, i)
		}
		*path = b.String()
	}
	c, err := newClient(t.url, *conc)
	if err != nil {
		return err
	}
	tok := ""
	if t.email != "" {
		if tok, err = c.login(t.email, t.password); err != nil {
			return err
		}
	}
	c.accept = *accept
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	var (
		lat      latencies
		statuses statusCounts
		n, bytes atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range *conc {
		wg.Go(func() {
			var buf []byte
			for ctx.Err() == nil && (*count == 0 || n.Add(1) <= *count) {
				t0 := time.Now()
				st, b, err := c.do("GET", *path, tok, nil, buf[:0])
				if err != nil && ctx.Err() != nil {
					return
				}
				buf = b
				lat.add(time.Since(t0))
				statuses.add(st)
				bytes.Add(int64(len(b)))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	reqs := lat.count()
	shown := *path
	if len(shown) > 80 {
		shown = shown[:77] + "..."
	}
	fmt.Fprintf(out, "query: GET %s concurrency=%d duration=%s\n", shown, *conc, el.Round(time.Millisecond))
	fmt.Fprintf(out, "requests: %d, %.1f/s, %.0f bytes per answer\n", reqs, float64(reqs)/el.Seconds(), float64(bytes.Load())/float64(max(reqs, 1)))
	if c.accept != "" {
		fmt.Fprintf(out, "compressed: %d of %d answers (Accept-Encoding: %s)\n", c.encoded.Load(), reqs, c.accept)
	}
	printLatency(out, "latency", &lat)
	fmt.Fprintf(out, "errors: %s\n", statuses.errors())
	return nil
}

// cmdExport streams the audit CSV once and watches the server's memory.
func cmdExport(ctx context.Context, fs *flag.FlagSet, args []string, out io.Writer) error {
	var t target
	t.bind(fs)
	pid := fs.Int("pid", 0, "server process id: its peak RSS is reset before and read after the export (Linux, needs the right to write /proc/PID/clear_refs)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := newClient(t.url, 1)
	if err != nil {
		return err
	}
	tok, err := c.login(t.email, t.password)
	if err != nil {
		return err
	}
	var before int64
	if *pid > 0 {
		if before, err = procStatusKB(*pid, "VmRSS"); err != nil {
			return err
		}
		// 5 resets VmHWM to the current RSS.
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", *pid), []byte("5"), 0); err != nil {
			return fmt.Errorf("reset peak RSS: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/audit/export", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return fmt.Errorf("export: status %d: %s", res.StatusCode, b)
	}
	rows, size, err := countLines(res.Body)
	if err != nil {
		return fmt.Errorf("export cut short after %d rows: %w", rows, err)
	}
	el := time.Since(start)
	rows-- // the header
	fmt.Fprintf(out, "export: %d rows, %.1f MB in %s = %.0f rows/s\n", rows, float64(size)/1e6, el.Round(time.Millisecond), float64(rows)/el.Seconds())
	if *pid > 0 {
		peak, err := procStatusKB(*pid, "VmHWM")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "server RSS: %.1f MB before, peak %.1f MB during: growth %.1f MB\n",
			float64(before)/1024, float64(peak)/1024, float64(peak-before)/1024)
	}
	return nil
}

func countLines(r io.Reader) (lines, size int64, err error) {
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Read(buf)
		size += int64(n)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			return lines, size, nil
		}
		if err != nil {
			return lines, size, err
		}
	}
}

// procStatusKB reads one "Name:  123 kB" line of /proc/PID/status.
func procStatusKB(pid int, name string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", name, pid)
}
