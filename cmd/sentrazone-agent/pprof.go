//go:build pprof

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// pprofBuilt tells whether --pprof can serve profiles.
const pprofBuilt = true

// startPprof serves the runtime's profiles on addr until ctx ends, at the
// paths of net/http/pprof (go tool pprof http://addr/debug/pprof/heap);
// profiling is off unless --pprof names an address. It uses runtime/pprof
// directly, without net/http/pprof's html/template.
//
// It is only built with -tags pprof: an HTTP server, even an idle one,
// makes the binary 0.7 MB larger, and the agent's binary is resident
// (~0.55 MB more VmRSS for every agent, profiled or not).
func startPprof(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/{$}", pprofIndex)
	mux.HandleFunc("GET /debug/pprof/profile", pprofCPU)
	mux.HandleFunc("GET /debug/pprof/{name}", pprofNamed)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof server stopped", "error", err.Error())
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("pprof serving", "addr", ln.Addr().String())
	return nil
}

// pprofIndex lists the profiles.
func pprofIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "profile?seconds=N")
	for _, p := range pprof.Profiles() {
		fmt.Fprintf(w, "%s (%d)\n", p.Name(), p.Count())
	}
}

// pprofNamed writes one runtime/pprof profile; ?debug=N as in
// net/http/pprof, ?gc=1 collects garbage first (heap).
func pprofNamed(w http.ResponseWriter, r *http.Request) {
	p := pprof.Lookup(r.PathValue("name"))
	if p == nil {
		http.Error(w, "unknown profile", http.StatusNotFound)
		return
	}
	debug, _ := strconv.Atoi(r.FormValue("debug"))
	if r.FormValue("gc") == "1" {
		runtime.GC()
	}
	if debug > 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	_ = p.WriteTo(w, debug)
}

// pprofCPU records a CPU profile for ?seconds (default 30).
func pprofCPU(w http.ResponseWriter, r *http.Request) {
	secs, err := strconv.Atoi(strings.TrimSpace(r.FormValue("seconds")))
	if err != nil || secs <= 0 {
		secs = 30
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if err := pprof.StartCPUProfile(w); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	select {
	case <-time.After(time.Duration(secs) * time.Second):
	case <-r.Context().Done():
	}
	pprof.StopCPUProfile()
}
