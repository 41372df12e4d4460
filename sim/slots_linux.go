package sim

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// offHeap counts the bytes mapBytes has mapped and unmapBytes not yet
// unmapped.
var offHeap atomic.Int64

// OffHeapBytes is the memory the searches running now hold outside the Go
// heap (their fingerprint tables and level buffers, see flat), which the
// runtime's own figures (runtime/metrics, debug.SetMemoryLimit) do not
// count: a memory bound must add it.
func OffHeapBytes() uint64 { return uint64(max(offHeap.Load(), 0)) }

// mapBytes returns size zeroed bytes outside the Go heap, or nil when the
// system refuses: an anonymous mapping, which the kernel zeroes page by
// page as the search first touches it, marked for transparent huge pages
// (a probe of the fingerprint table is a random read of hundreds of
// megabytes: with 4 KiB pages nearly every probe misses the TLB too; a
// buffer written in sequence takes a fault per 2 MiB, not per 4 KiB).
// The memory holds no pointers the collector must see, and outside the
// heap it does not count toward the heap's growth target (GOGC): a
// search's peak memory is these buffers plus twice the rest, not twice
// everything. unmapBytes returns it.
//
// The three calls are made directly, not through syscall.Mmap, whose
// bookkeeping of mappings mremap would leave stale.
func mapBytes(size int) []byte {
	p, _, errno := syscall.Syscall6(syscall.SYS_MMAP, 0, uintptr(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON, ^uintptr(0), 0)
	if errno != 0 {
		return nil
	}
	b := bytesAt(p, size)
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE; a kernel without it ignores the advice
	offHeap.Add(int64(size))
	return b
}

// remapBytes grows a mapping mapBytes returned to size bytes, keeping its
// contents: the kernel moves the pages, nothing is copied. On failure b is
// still mapped.
func remapBytes(b []byte, size int) ([]byte, bool) {
	const mremapMayMove = 1
	p, _, errno := syscall.Syscall6(syscall.SYS_MREMAP, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(size), mremapMayMove, 0, 0)
	if errno != 0 {
		return b, false
	}
	offHeap.Add(int64(size - len(b)))
	nb := bytesAt(p, size)
	_ = syscall.Madvise(nb, 14)
	return nb, true
}

// unmapBytes releases a mapping mapBytes or remapBytes returned; it must
// not be used after.
func unmapBytes(b []byte) {
	if len(b) == 0 {
		return
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MUNMAP, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0); errno == 0 {
		offHeap.Add(-int64(len(b)))
	}
}

// bytesAt is the size bytes a system call mapped at addr (memory the
// collector does not manage, so the address cannot move).
func bytesAt(addr uintptr, size int) []byte {
	var p unsafe.Pointer
	*(*uintptr)(unsafe.Pointer(&p)) = addr
	return unsafe.Slice((*byte)(p), size)
}
