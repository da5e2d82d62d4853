package main

import "testing"

// TestProbeGrowthSeesWrittenMemory checks the probe's measure: writing
// every page of the mapping must show as that much anonymous RSS.
func TestProbeGrowthSeesWrittenMemory(t *testing.T) {
	kb, err := probeGrowth(func(m []byte) {
		for i := range m {
			m[i] = 1
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(probeSize / 1024); kb < want*9/10 {
		t.Fatalf("writing %d kB grew anonymous RSS by %d kB", want, kb)
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
		t.Fatalf("reading %d kB grew anonymous RSS by %d kB: neither none nor all", all, kb)
	}
	resident, err := readFaultsResident()
	if err != nil {
		t.Fatal(err)
	}
	if resident != (kb >= all*9/10) {
		t.Fatalf("probe says resident=%v, but reading grew RSS by %d of %d kB", resident, kb, all)
	}
	t.Logf("reads of untouched memory here: %s (%d of %d kB)", describeReadFaults(resident), kb, all)
}
