package main

import "testing"

// TestProbeGrowthSeesWrittenMemory checks the probe's measure: writing
// every page of the mapping must make all of it, and no more, resident.
func TestProbeGrowthSeesWrittenMemory(t *testing.T) {
	kb, err := probeGrowth(func(m []byte) {
		for i := range m {
			m[i] = 1
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(probeSize / 1024); kb < want*9/10 || kb > want {
		t.Fatalf("writing %d kB made %d kB of the mapping resident", want, kb)
	}
}

// TestReadFaultsResidentAgreesWithTheMeasure: reading a fresh mapping
// makes either almost none or almost all of it resident, depending on
// the kernel, and the probe's answer is the one measured.
func TestReadFaultsResidentAgreesWithTheMeasure(t *testing.T) {
	kb, err := probeGrowth(readEveryPage)
	if err != nil {
		t.Fatal(err)
	}
	all := int64(probeSize / 1024)
	if kb > all/10 && kb < all*9/10 {
		t.Fatalf("reading %d kB made %d kB resident: neither none nor all", all, kb)
	}
	resident, err := readFaultsResident()
	if err != nil {
		t.Fatal(err)
	}
	if resident != (kb >= all*9/10) {
		t.Fatalf("probe says resident=%v, but reading made %d of %d kB resident", resident, kb, all)
	}
	t.Logf("reads of untouched memory here: %s (%d of %d kB)", describeReadFaults(resident), kb, all)
}

// TestMappingRSSReadsOnlyItsOwnMapping: the probe's figure is the Rss
// of the mapping at its address, not of its neighbours, and a missing
// mapping is an error rather than zero.
func TestMappingRSSReadsOnlyItsOwnMapping(t *testing.T) {
	const smaps = `7f0000000000-7f0000001000 ---p 00000000 00:00 0
Size:                  4 kB
Rss:                   0 kB
7f0000001000-7f0001001000 rw-p 00000000 00:00 0
Size:              16384 kB
KernelPageSize:        4 kB
Rss:                8192 kB
Pss:                8192 kB
7f0001001000-7f0001002000 ---p 00000000 00:00 0
Size:                  4 kB
Rss:                 512 kB
`
	kb, err := mappingRSS(smaps, 0x7f0000001000)
	if err != nil {
		t.Fatal(err)
	}
	if kb != 8192 {
		t.Fatalf("Rss of the mapping at 0x7f0000001000 = %d kB, want 8192", kb)
	}
	if _, err := mappingRSS(smaps, 0x7f0000002000); err == nil {
		t.Fatal("a mapping not in smaps gave no error")
	}
}
