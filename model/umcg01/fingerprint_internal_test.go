package umcg01

import (
	"reflect"
	"testing"
)

// TestThreadLayout: SearchFingerprint reads a Thread's memory. It relies
// on every field being one byte (bools, small integers) except Ret and
// Word, the two-byte ones threadImage writes little-endian, and masks
// exactly the bytes no field holds (the padding, which copies and decodes
// leave as they find it).
func TestThreadLayout(t *testing.T) {
	var field [threadSize]bool
	typ := reflect.TypeFor[Thread]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		size := f.Type.Size()
		if two := f.Name == "Ret" || f.Name == "Word"; two && size != 2 || !two && size != 1 {
			t.Errorf("Thread.%s is %d bytes: SearchFingerprint and threadImage read one-byte fields and two-byte Ret and Word", f.Name, size)
		}
		for b := f.Offset; b < f.Offset+size; b++ {
			field[b] = true
		}
	}
	pad := 0
	for b, ok := range field {
		if !ok {
			pad++
		}
		read := false
		for w, at := range threadWords {
			if b >= at && b < at+8 {
				read = true
				if masked := threadMask[w]>>(8*(b-at))&0xff == 0; masked == ok {
					t.Errorf("byte %d of a Thread (a field's: %v) masked: %v", b, ok, masked)
				}
			}
		}
		if !read {
			t.Errorf("byte %d of a Thread is not read", b)
		}
	}
	if threadMask != [5]uint64{^uint64(0), ^uint64(0), padMask, ^uint64(0), ^uint64(0)} {
		t.Errorf("the fields' masks are %#x; SearchFingerprint masks the third word with %#x and no other", threadMask, uint64(padMask))
	}
	if pad != 1 {
		t.Errorf("a Thread has %d bytes of padding; the layout this test knows has one", pad)
	}
}

// threadWords are where the five 8-byte words the hash reads of a thread
// start: together (the last two overlap) they cover its 34 bytes.
var threadWords = [5]int{0, 8, 16, 24, 26}

// threadMask has, per word of threadWords, the bits of the bytes that are
// a field's, as reflect tells.
var threadMask = func() (m [5]uint64) {
	var field [threadSize]bool
	typ := reflect.TypeFor[Thread]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		for b := f.Offset; b < f.Offset+f.Type.Size(); b++ {
			field[b] = true
		}
	}
	for w, at := range threadWords {
		for b := range 8 {
			if field[at+b] {
				m[w] |= 0xff << (8 * b)
			}
		}
	}
	return m
}()
