//go:build !linux

package sim

// mapBytes returns nil: off Linux, flat and the fingerprint table keep
// their memory on the Go heap (see slots_linux.go).
func mapBytes(int) []byte { return nil }

// remapBytes fails: nothing is mapped.
func remapBytes(b []byte, _ int) ([]byte, bool) { return b, false }

// unmapBytes has nothing to release.
func unmapBytes([]byte) {}

// OffHeapBytes is the memory the searches running now hold outside the Go
// heap: none on this system.
func OffHeapBytes() uint64 { return 0 }
