//go:build !amd64 || purego

package sim

import (
	"testing"
	"unsafe"
)

// TestPrefetchLinesLoadsEachSlot: the fallback reads element fp&mask of
// the array for each fp (its result is the xor of their first bytes), the
// element an fpTable, levelSet or bitstate probe starts at. Run it on
// amd64 with -tags purego.
func TestPrefetchLinesLoadsEachSlot(t *testing.T) {
	prefetchCases(t, func(mem []byte, mask uint64, size uintptr, fps []uint64) {
		var want byte
		for _, fp := range fps {
			want ^= mem[uintptr(fp&mask)*size]
		}
		if got := prefetchLines(unsafe.Pointer(&mem[0]), mask, size, fps); got != want {
			t.Errorf("size %d, mask %#x: read %#x, want the xor of the slots' first bytes %#x", size, mask, got, want)
		}
	})
}
