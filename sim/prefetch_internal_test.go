package sim

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// prefetchCases are arrays prefetchSlots is asked to read ahead in: the
// element sizes the search uses (fpSlot, levelSlot, a bitstate word) and
// others, with fingerprints that pick the first and the last element.
func prefetchCases(t *testing.T, f func(mem []byte, mask uint64, size uintptr, fps []uint64)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []uintptr{1, 8, unsafe.Sizeof(fpSlot{}), unsafe.Sizeof(levelSlot{}), 29} {
		for _, n := range []uint64{1, 2, 64, 1 << 12} {
			mem := make([]byte, uintptr(n)*size) // exactly n elements: checkptr (-race) sees a read past them
			for i := range mem {
				mem[i] = byte(rng.Uint32())
			}
			fps := []uint64{0, n - 1, ^uint64(0), n, n << 40}
			for range 20 {
				fps = append(fps, rng.Uint64())
			}
			f(mem, n-1, size, fps)
		}
	}
}

// TestPrefetchSlotsChangesNothing: a read ahead of any element of an
// array, the last included, neither faults nor writes.
func TestPrefetchSlotsChangesNothing(t *testing.T) {
	prefetchCases(t, func(mem []byte, mask uint64, size uintptr, fps []uint64) {
		before := bytes.Clone(mem)
		for i := range fps {
			prefetchSlots(unsafe.Pointer(&mem[0]), mask, size, fps[i:])
			prefetchSlots(unsafe.Pointer(&mem[0]), mask, size, fps[:i])
		}
		if !bytes.Equal(mem, before) {
			t.Errorf("size %d, mask %#x: the array changed", size, mask)
		}
	})
}

// BenchmarkProbeAhead probes a table of 2^22 slots (48 MiB, the race's)
// for random fingerprints, 16 at a time: with their slots read ahead by
// prefetchSlots first ("prefetch"), by plain loads first, as the search
// did before ("load"), or not read ahead ("none"). Only the time per
// probe tells whether the prefetch brings the right lines in.
func BenchmarkProbeAhead(b *testing.B) {
	const n = 3 << 20 // three quarters of 2^22
	t := newFPTable(n)
	defer t.release()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range uint32(n) {
		t.insert(rng.Uint64(), i)
	}
	fps := make([]uint64, 1<<20) // 8 MiB: their slots are not in cache from the round before
	for i := range fps {
		fps[i] = rng.Uint64()
	}
	mask := uint64(len(t.slots) - 1)
	for _, how := range []string{"prefetch", "load", "none"} {
		b.Run(how, func(b *testing.B) {
			var sink uint32
			for i := 0; b.Loop(); i++ {
				batch := fps[i*16%len(fps):][:16]
				switch how {
				case "prefetch":
					t.prefetch(batch)
				case "load":
					for _, fp := range batch {
						sink += t.slots[fp&mask].id
					}
				}
				for _, fp := range batch {
					id, _ := t.lookup(fp)
					sink += id
				}
			}
			if sink == 1 {
				b.Log(sink) // keeps the loads
			}
		})
	}
}
