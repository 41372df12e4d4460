package sim

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// offHeap counts the bytes allocSlots has mapped and freeSlots not yet
// unmapped.
var offHeap atomic.Int64

// OffHeapBytes is the memory the searches running now hold outside the Go
// heap (their fingerprint tables), which the runtime's own figures
// (runtime/metrics, debug.SetMemoryLimit) do not count: a memory bound
// must add it.
func OffHeapBytes() uint64 { return uint64(max(offHeap.Load(), 0)) }

// allocSlots returns n zeroed slots outside the Go heap: an anonymous
// mapping, which the kernel zeroes page by page as the search first
// touches it, marked for transparent huge pages (a probe is a random
// read of a table of hundreds of megabytes: with 4 KiB pages nearly every
// probe misses the TLB too). The table holds no pointers, so the
// collector need not see it, and outside the heap it does not count
// toward the heap's growth target (GOGC): a search's peak memory is the
// table plus twice the rest, not twice the table. freeSlots returns it.
func allocSlots(n int) []fpSlot {
	size := n * int(unsafe.Sizeof(fpSlot{}))
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return make([]fpSlot, n) // no mapping: the heap will do
	}
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE; a kernel without it ignores the advice
	offHeap.Add(int64(size))
	return unsafe.Slice((*fpSlot)(unsafe.Pointer(&b[0])), n)
}

// freeSlots releases slots allocSlots returned; they must not be used
// after.
func freeSlots(s []fpSlot) {
	if len(s) == 0 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(fpSlot{})))
	if err := syscall.Munmap(b); err != nil {
		// Slots from make (the mapping failed): the collector's.
		return
	}
	offHeap.Add(-int64(len(b)))
}
