package main

import (
	"path/filepath"
	"testing"
)

// TestNanosTraces re-checks the traces that `umcgcheck live --backend
// nanos` recorded with our guest program in the Nanos unikernel
// (docs/nanos.md), as TestRealKernelTraces does for the v0.1 kernel: each
// must keep the verdict testdata/nanos/expected.txt gives it.
func TestNanosTraces(t *testing.T) {
	checkExpectedVerdicts(t, filepath.Join("testdata", "nanos"))
}
