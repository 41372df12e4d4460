//go:build !linux

package sim

// allocSlots returns n zeroed slots (on Linux, outside the Go heap: see
// slots_linux.go).
func allocSlots(n int) []fpSlot { return make([]fpSlot, n) }

// freeSlots releases slots allocSlots returned.
func freeSlots([]fpSlot) {}

// OffHeapBytes is the memory the searches running now hold outside the Go
// heap: none on this system.
func OffHeapBytes() uint64 { return 0 }
