//go:build !amd64 || purego

package sim

import "unsafe"

// prefetchLines is prefetchSlots for a non-empty fps: without a prefetch
// instruction in Go, it loads the first byte of each element (the core
// overlaps the misses, but waits for them before it retires the loads).
// The loads' result is returned, and the function never inlined, so that
// the compiler keeps loads whose values nothing uses.
//
//go:noinline
func prefetchLines(base unsafe.Pointer, mask uint64, size uintptr, fps []uint64) byte {
	var x byte
	for _, fp := range fps {
		x ^= *(*byte)(unsafe.Add(base, uintptr(fp&mask)*size))
	}
	return x
}
