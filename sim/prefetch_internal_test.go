package sim

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// prefetchCases are arrays prefetchSlots is asked to read ahead in: the
// element sizes the search uses (fpSlot, levelSlot, a bitstate word) and
// others, with fingerprints that pick the first and the last element.
func prefetchCases(t *testing.T, f func(mem []byte, mask uint64, size uintptr, fps []uint64)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []uintptr{1, 8, unsafe.Sizeof(fpSlot{}), unsafe.Sizeof(levelSlot{}), 29} {
		for _, n := range []uint64{1, 2, 64, 1 << 12} {
			mem := make([]byte, uintptr(n)*size) // exactly n elements: checkptr (-race) sees a read past them
			for i := range mem {
				mem[i] = byte(rng.Uint32())
			}
			fps := []uint64{0, n - 1, ^uint64(0), n, n << 40}
			for range 20 {
				fps = append(fps, rng.Uint64())
			}
			f(mem, n-1, size, fps)
		}
	}
}

// TestPrefetchSlotsChangesNothing: a read ahead of any element of an
// array, the last included, neither faults nor writes.
func TestPrefetchSlotsChangesNothing(t *testing.T) {
	prefetchCases(t, func(mem []byte, mask uint64, size uintptr, fps []uint64) {
		before := bytes.Clone(mem)
		for i := range fps {
			prefetchSlots(unsafe.Pointer(&mem[0]), mask, size, fps[i:])
			prefetchSlots(unsafe.Pointer(&mem[0]), mask, size, fps[:i])
		}
		if !bytes.Equal(mem, before) {
			t.Errorf("size %d, mask %#x: the array changed", size, mask)
		}
	})
}
