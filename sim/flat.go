package sim

import (
	"os"
	"unsafe"
)

// flat is a growable array of T, outside the Go heap where the system
// allows (mapBytes): the search's big buffers (the fingerprint table, the
// parent and action of every state, a level's encodings and successor
// records). Off the heap, a buffer is not copied when it grows (the kernel
// moves its pages), the collector never scans it, and it does not count
// toward the heap's growth target, which otherwise lets the heap grow to
// twice what it holds. T must hold no pointer into the Go heap. The zero
// value is empty; release frees the memory, after which s must not be
// used.
type flat[T any] struct {
	s   []T
	mem []byte // the mapping behind s; nil when s is on the heap (or nil)
}

// flatMin is the smallest mapping flat makes: smaller buffers stay on the
// heap, where they cost no system call.
const flatMin = 1 << 16

var pageSize = os.Getpagesize()

// grow makes room for n more elements, at least doubling the capacity:
// appending costs amortized constant time.
func (f *flat[T]) grow(n int) {
	if cap(f.s)-len(f.s) >= n {
		return
	}
	var zero T
	size := int(unsafe.Sizeof(zero))
	want := max(2*cap(f.s), len(f.s)+n) * size
	if want >= flatMin {
		want = (want + pageSize - 1) &^ (pageSize - 1)
		if f.mem != nil {
			if b, ok := remapBytes(f.mem, want); ok {
				f.mem = b
				f.s = unsafe.Slice((*T)(unsafe.Pointer(&b[0])), want/size)[:len(f.s)]
				return
			}
		} else if b := mapBytes(want); b != nil {
			s := unsafe.Slice((*T)(unsafe.Pointer(&b[0])), want/size)[:len(f.s)]
			copy(s, f.s)
			f.s, f.mem = s, b
			return
		}
	}
	s := make([]T, len(f.s), want/size)
	copy(s, f.s)
	unmapBytes(f.mem)
	f.s, f.mem = s, nil
}

// push appends x.
func (f *flat[T]) push(x T) {
	if len(f.s) == cap(f.s) {
		f.grow(1)
	}
	f.s = append(f.s, x)
}

// release frees the memory.
func (f *flat[T]) release() {
	unmapBytes(f.mem)
	f.s, f.mem = nil, nil
}
