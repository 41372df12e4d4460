package sim

import (
	"math/bits"
	"unsafe"
)

// visited is the set of states a search has stored, by fingerprint.
type visited interface {
	// lookup reports whether fp was stored, and its id when the set
	// keeps ids (a bitstate set returns 0).
	lookup(fp uint64) (uint32, bool)
	insert(fp uint64, id uint32)
	// lookupOrInsert is lookup, then insert(fp, id) when fp was not
	// stored (and returns id then).
	lookupOrInsert(fp uint64, id uint32) (uint32, bool)
	// prefetch starts bringing into cache where each fp of fps would be
	// stored, so that a lookup soon after finds it there (prefetchSlots).
	// It changes nothing.
	prefetch(fps []uint64)
	// release frees the set's memory at the end of a search.
	release()
}

// fpTable is the exact set: an open-addressing hash table (linear
// probing) from fingerprint to state id, kept at most three quarters full
// (half full, it took twice the memory for a few percent less time on
// the race configuration: a probe's cost is its first cache miss). It is a
// flat array, which the cache likes better than a Go map (a third of a
// search's time went to map probes), and a slot holds the whole
// fingerprint and the id side by side, so that a probe costs one cache
// miss, not one in a key array and another in an id array. Fingerprints
// are already mixed, so their low bits index the table directly.
type fpTable struct {
	slots []fpSlot
	mem   []byte // the mapping behind slots (see mapBytes), or nil
	n     int
}

// fpSlot is a fingerprint (lo, hi: 12 bytes a slot, not 16 with a
// uint64 key) and its state's id+1; id 0 marks an empty slot.
type fpSlot struct{ lo, hi, id uint32 }

// newFPTable returns a table sized for expect states (at least 2^16
// slots): a search that stores more grows it.
func newFPTable(expect int) *fpTable {
	t := &fpTable{}
	t.alloc(fpTableSlots(expect))
	return t
}

// alloc gives the table n empty slots, outside the Go heap where the
// system allows (mapBytes: the table holds no pointers, and on the heap
// the collector's growth target would let the heap grow to twice the
// table).
func (t *fpTable) alloc(n int) {
	size := n * int(unsafe.Sizeof(fpSlot{}))
	if t.mem = mapBytes(size); t.mem != nil {
		t.slots = unsafe.Slice((*fpSlot)(unsafe.Pointer(&t.mem[0])), n)
	} else {
		t.slots = make([]fpSlot, n)
	}
}

// fpTableSlots is how many slots hold n states at most three quarters
// full (a power of two, at least 2^16).
func fpTableSlots(n int) int {
	slots := 1 << 16
	for !fpTableHolds(slots, n) {
		slots *= 2
	}
	return slots
}

// fpTableHolds reports whether slots slots may hold n states.
func fpTableHolds(slots, n int) bool { return 4*n <= 3*slots }

// FPTableBytes is the memory the exact set of fingerprints takes when it
// is sized for n states (Explorer.ExpectStates).
func FPTableBytes(n int) uint64 {
	return uint64(fpTableSlots(n)) * uint64(unsafe.Sizeof(fpSlot{}))
}

// release frees the table's memory; the table must not be used after.
func (t *fpTable) release() {
	unmapBytes(t.mem)
	t.slots, t.mem = nil, nil
}

func (t *fpTable) lookup(fp uint64) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	lo, hi := uint32(fp), uint32(fp>>32)
	for i := fp & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			return 0, false
		}
		if s.lo == lo && s.hi == hi {
			return s.id - 1, true
		}
	}
}

func (t *fpTable) prefetch(fps []uint64) {
	prefetchSlots(unsafe.Pointer(&t.slots[0]), uint64(len(t.slots)-1), unsafe.Sizeof(fpSlot{}), fps)
}

func (t *fpTable) insert(fp uint64, id uint32) { t.lookupOrInsert(fp, id) }

// lookupOrInsert returns the id stored for fp and true, or stores fp with
// id and returns id and false: one probe sequence for both.
func (t *fpTable) lookupOrInsert(fp uint64, id uint32) (uint32, bool) {
	if !fpTableHolds(len(t.slots), t.n+1) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	lo, hi := uint32(fp), uint32(fp>>32)
	for i := fp & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			*s = fpSlot{lo, hi, id + 1}
			t.n++
			return id, false
		}
		if s.lo == lo && s.hi == hi {
			return s.id - 1, true
		}
	}
}

func (t *fpTable) grow() {
	old, oldMem := t.slots, t.mem
	defer unmapBytes(oldMem)
	t.alloc(2 * len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := (uint64(s.hi)<<32 | uint64(s.lo)) & mask
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// columns returns the table as the checkpoint stores it: the keys and
// ids of every slot, in slot order.
func (t *fpTable) columns() (keys []uint64, ids []uint32) {
	keys, ids = make([]uint64, len(t.slots)), make([]uint32, len(t.slots))
	for i, s := range t.slots {
		keys[i], ids[i] = uint64(s.hi)<<32|uint64(s.lo), s.id
	}
	return keys, ids
}

// fpTableOf rebuilds the table columns returned.
func fpTableOf(keys []uint64, ids []uint32, n int) *fpTable {
	t := &fpTable{n: n}
	t.alloc(len(keys))
	for i, k := range keys {
		t.slots[i] = fpSlot{uint32(k), uint32(k >> 32), ids[i]}
	}
	return t
}

// bitstate is SPIN's supertrace: k bits per state in one bit array, with
// the k positions derived from the 64-bit fingerprint by double hashing.
// A state whose bits are all set is taken as visited.
type bitstate struct {
	words  []uint64
	mask   uint64
	set    uint64  // bits set
	missed float64 // expected states wrongly taken as visited
}

const bitstateK = 3

func newBitstate(nbits uint64) *bitstate {
	if nbits < 64 {
		nbits = 64
	}
	n := uint64(1) << (64 - bits.LeadingZeros64(nbits-1))
	return &bitstate{words: make([]uint64, n/64), mask: n - 1}
}

func (b *bitstate) pos(fp uint64, i int) uint64 {
	h1, h2 := fp, (fp>>32|fp<<32)*0x9E3779B97F4A7C15|1
	return (h1 + uint64(i)*h2) & b.mask
}

func (b *bitstate) lookup(fp uint64) (uint32, bool) {
	for i := 0; i < bitstateK; i++ {
		p := b.pos(fp, i)
		if b.words[p/64]&(1<<(p%64)) == 0 {
			return 0, false
		}
	}
	return 0, true
}

func (b *bitstate) release() {}

func (b *bitstate) prefetch(fps []uint64) {
	var words [16]uint64 // the word of each fp's first bit
	for len(fps) > 0 {
		n := min(len(fps), len(words))
		for i, fp := range fps[:n] {
			words[i] = b.pos(fp, 0) / 64
		}
		prefetchSlots(unsafe.Pointer(&b.words[0]), uint64(len(b.words)-1), 8, words[:n])
		fps = fps[n:]
	}
}

func (b *bitstate) lookupOrInsert(fp uint64, id uint32) (uint32, bool) {
	if _, ok := b.lookup(fp); ok {
		return 0, true
	}
	b.insert(fp, id)
	return id, false
}

// insert stores fp. A new state collides with the bits already set with
// probability f^k, f the fraction of bits set: summed over the states
// stored, that estimates how many reachable states were taken for visited
// ones (Holzmann's estimate for supertrace).
func (b *bitstate) insert(fp uint64, id uint32) {
	f := float64(b.set) / float64(b.mask+1)
	b.missed += f * f * f
	for i := 0; i < bitstateK; i++ {
		p := b.pos(fp, i)
		w := &b.words[p/64]
		if *w&(1<<(p%64)) == 0 {
			*w |= 1 << (p % 64)
			b.set++
		}
	}
}

// levelSet is one worker's set of the successors it found, while
// expanding one level, not stored at an earlier level: a fingerprint, the
// index of its first successor record in the worker's chunk, and whether
// that state breaks an invariant. In a breadth-first search of
// interleavings most such successors are reached several times within the
// level (on the race configuration, 6.1 M of 9.0 M): a repeat is recorded
// as a copy of the first (succ.dup), so the set of all states is not
// probed for it, its encoding is not kept, its invariants are checked
// only when its first record broke one, and the merge does not probe the
// set for it either. The set is small (a level's states), so a probe
// mostly hits the cache. Slots carry the level's generation: a new level
// clears nothing.
type levelSet struct {
	slots []levelSlot
	n     int
	gen   uint32
}

type levelSlot struct {
	fp  uint64
	at  uint32 // the first record's index, and levelBreaks
	gen uint32 // the slot is empty unless gen is the set's
}

// levelBreaks marks, in levelSlot.at, a state that breaks an invariant.
const levelBreaks = 1 << 31

// maxLevelRecords bounds a worker's successor records in one level, so
// that an index fits levelSlot.at beside levelBreaks.
const maxLevelRecords = levelBreaks

// reset empties the set for a new level; it must be called before the
// set is first used.
func (s *levelSet) reset() {
	s.n = 0
	s.gen++
	if s.gen == 0 { // wrapped: slots of every generation look current
		clear(s.slots)
		s.gen = 1
	}
}

// find returns the index stored for fp and whether the state breaks an
// invariant, and whether fp is in the set.
func (s *levelSet) find(fp uint64) (at uint32, breaks, ok bool) {
	if len(s.slots) == 0 {
		return 0, false, false
	}
	mask := uint64(len(s.slots) - 1)
	for i := fp & mask; ; i = (i + 1) & mask {
		sl := &s.slots[i]
		if sl.gen != s.gen {
			return 0, false, false
		}
		if sl.fp == fp {
			return sl.at &^ levelBreaks, sl.at&levelBreaks != 0, true
		}
	}
}

// prefetch starts bringing into cache where each fp of fps would be
// stored, as fpTable.prefetch does.
func (s *levelSet) prefetch(fps []uint64) {
	if len(s.slots) == 0 {
		return
	}
	prefetchSlots(unsafe.Pointer(&s.slots[0]), uint64(len(s.slots)-1), unsafe.Sizeof(levelSlot{}), fps)
}

// add stores fp, which is not in the set, with the index at (below
// maxLevelRecords) of its first record.
func (s *levelSet) add(fp uint64, at uint32, breaks bool) {
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	if breaks {
		at |= levelBreaks
	}
	mask := uint64(len(s.slots) - 1)
	i := fp & mask
	for s.slots[i].gen == s.gen {
		i = (i + 1) & mask
	}
	s.slots[i] = levelSlot{fp, at, s.gen}
	s.n++
}

func (s *levelSet) grow() {
	old := s.slots
	s.slots = make([]levelSlot, max(2*len(old), 1<<12))
	mask := uint64(len(s.slots) - 1)
	for _, sl := range old {
		if sl.gen != s.gen {
			continue
		}
		i := sl.fp & mask
		for s.slots[i].gen == s.gen {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
}
