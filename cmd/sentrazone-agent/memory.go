package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"
)

// defaultGOGC is the agent's GOGC unless the environment sets one.
//
// Go lets the heap grow by GOGC percent of the live heap (and stacks)
// before it collects, and the garbage in between touches memory that stays
// resident. Most of the agent's live heap is wireguard-go's and is never
// written while no traffic flows: ~26 MB of 64 KB message buffers held by
// its batched UDP and TUN readers, and most of every peer's two 1024-slot
// queues. The collector reads those queues' slots, which costs nothing
// where the kernel answers such reads with its shared zero page; a kernel
// booted without it (pvm_no_zero_page=1) makes them resident, ~16 KB a
// peer. With 1,000 peers the live heap is ~60 MB, of which ~30 MB is
// resident (~43 MB without the zero page), and the default of 100 let
// report garbage add ~20 MB of resident memory in a minute, and more
// later. 2 allows ~1.2 MB. It costs a collection (~30 ms of CPU with 1,000
// peers) every second or two while reporting every second: ~3% of a core
// instead of ~0.7%, a tenth of that at the default interval of 10 s. A
// userspace device carrying much traffic allocates for every packet; there
// GOGC=25 or more saves CPU, and its buffers are resident anyway.
const defaultGOGC = 2

// tuneRuntime sets the garbage collector's target, unless GOGC is set, and
// turns heap profiling off unless the agent serves profiles: its table of
// sampled allocation sites is ~1 MB resident with 1,000 peers.
func tuneRuntime(getenv func(string) string, profiling bool) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	if !profiling {
		runtime.MemProfileRate = 0
	}
}

// memoryRelease is how often releaseMemory runs.
const memoryRelease = time.Minute

// releaseMemory hands the heap's free pages back to the operating system
// every period until ctx ends. Go's scavenger keeps freed pages resident up
// to 10% over the heap goal, and that goal counts wireguard-go's idle
// buffers too: with 1,000 peers up to ~6 MB of freed pages may stay, which
// the agent's garbage fills over minutes. One forced, concurrent
// collection a minute (~30 ms of CPU) bounds that.
func releaseMemory(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			debug.FreeOSMemory()
		}
	}
}
