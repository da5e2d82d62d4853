package main

import (
	"fmt"
	"os"
	"syscall"
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
// use it and returns how much this process's anonymous RSS grew, in kB.
func probeGrowth(touch func([]byte)) (int64, error) {
	m, err := syscall.Mmap(-1, 0, probeSize, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("map the read-fault probe: %w", err)
	}
	defer func() { _ = syscall.Munmap(m) }()
	before, err := procMemory(os.Getpid())
	if err != nil {
		return 0, fmt.Errorf("read-fault probe: %w", err)
	}
	touch(m)
	after, err := procMemory(os.Getpid())
	if err != nil {
		return 0, fmt.Errorf("read-fault probe: %w", err)
	}
	return after.anon - before.anon, nil
}

// describeReadFaults is the probe's answer as printed by agent-rss.
func describeReadFaults(resident bool) string {
	if resident {
		return "resident (no shared zero page): every page Go's collector scans counts, wireguard-go's idle queues too"
	}
	return "not resident (shared zero page)"
}
