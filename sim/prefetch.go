package sim

import "unsafe"

// prefetchSlots asks the core to bring into its cache, for each fp of
// fps, the line holding element fp&mask of the array of size-byte
// elements at base, and returns without waiting for any of them: the
// misses of the probes to come then overlap with each other and with the
// work done meanwhile. It reads nothing a caller sees and changes
// nothing; base must point to an array of at least mask+1 elements.
//
// It replaces a plain load of each slot (whose value the core must have
// before it retires the load, so a few misses stall the whole loop behind
// them). On amd64 it is PREFETCHT0 in assembly (prefetch_amd64.s);
// elsewhere, or with the purego build tag, loads (prefetch_other.go).
func prefetchSlots(base unsafe.Pointer, mask uint64, size uintptr, fps []uint64) {
	if len(fps) > 0 {
		_ = prefetchLines(base, mask, size, fps)
	}
}
