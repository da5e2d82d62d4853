package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// probeSize is the memory the read-fault probe maps: large against the
// load generator's own allocations while it measures.
const probeSize = 16 << 20

// readFaultsResident tells whether reading memory this process never
// wrote makes it resident. Linux normally answers such a read with its
// shared zero page, which RSS does not count; a kernel booted without it
// (pvm_no_zero_page=1, seen on some virtual machines) gives each read
// page its own frame. Go's collector reads every pointer slot of the
// objects it scans, so on such a kernel wireguard-go's per-peer queues,
// 8 KB of pointer slots each and mostly never written, are resident in
// full: agent RSS figures of a device in the agent differ between
// kernels (docs/PERFORMANCE.md).
func readFaultsResident() (bool, error) {
	kb, err := probeGrowth(readEveryPage)
	if err != nil {
		return false, err
	}
	// Either nearly all of the mapping became resident or nearly none.
	return kb > probeSize/1024/2, nil
}

// readEveryPage reads one byte of every page of m.
func readEveryPage(m []byte) {
	var sum byte
	for i := 0; i < len(m); i += os.Getpagesize() {
		sum += m[i]
	}
	probeSink = sum
}

// probeSink keeps the probe's reads from being optimised away.
var probeSink byte

// probeGrowth maps probeSize bytes of fresh anonymous memory, lets touch
// use it and returns how much of that mapping became resident, in kB.
// It reads the mapping's own Rss from /proc/self/smaps rather than the
// process's RssAnon: the latter moves with everything else the process
// does meanwhile (the Go runtime returning freed heap, other goroutines),
// and on recent kernels it is a per-CPU counter that may lag. The
// mapping sits between two inaccessible guard pages, so the kernel
// cannot merge it with a neighbouring mapping of Go's heap.
func probeGrowth(touch func([]byte)) (int64, error) {
	page := os.Getpagesize()
	all, err := syscall.Mmap(-1, 0, probeSize+2*page, syscall.PROT_NONE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("map the read-fault probe: %w", err)
	}
	defer func() { _ = syscall.Munmap(all) }()
	m := all[page : page+probeSize]
	if err := syscall.Mprotect(m, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		return 0, fmt.Errorf("open the read-fault probe: %w", err)
	}
	touch(m)
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("read-fault probe: %w", err)
	}
	return mappingRSS(string(smaps), uintptr(unsafe.Pointer(&m[0])))
}

// mappingRSS finds the mapping that starts at addr in the text of an
// smaps file and returns its Rss, in kB.
func mappingRSS(smaps string, addr uintptr) (int64, error) {
	head := strconv.FormatUint(uint64(addr), 16) + "-"
	in := false
	for _, line := range strings.Split(smaps, "\n") {
		if strings.HasPrefix(line, head) {
			in = true
			continue
		}
		if !in {
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok {
			f := strings.Fields(v)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("read-fault probe: smaps Rss line %q", line)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read-fault probe: smaps Rss line %q: %w", line, err)
			}
			return kb, nil
		}
	}
	return 0, fmt.Errorf("read-fault probe: no Rss for the mapping at %#x in smaps", addr)
}

// describeReadFaults is the probe's answer as printed by agent-rss.
func describeReadFaults(resident bool) string {
	if resident {
		return "resident (no shared zero page): every page Go's collector scans counts, wireguard-go's idle queues too"
	}
	return "not resident (shared zero page)"
}
