//go:build amd64 && !purego

package sim

import "unsafe"

// prefetchLines is prefetchSlots for a non-empty fps (prefetch_amd64.s);
// it returns 0 (prefetch_other.go's returns what its loads read).
//
//go:noescape
func prefetchLines(base unsafe.Pointer, mask uint64, size uintptr, fps []uint64) byte
