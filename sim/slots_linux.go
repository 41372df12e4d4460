package sim

import (
	"syscall"
	"unsafe"
)

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
}
