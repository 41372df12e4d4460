package sim

import "math/bits"

// visited is the set of states a search has stored, by fingerprint.
type visited interface {
	// lookup reports whether fp was stored, and its id when the set
	// keeps ids (a bitstate set returns 0).
	lookup(fp uint64) (uint32, bool)
	insert(fp uint64, id uint32)
}

// fpTable is the exact set: an open-addressing hash table (linear
// probing) from fingerprint to state id, kept at most half full. It is a
// flat array, which the cache likes better than a Go map (a third of a
// search's time went to map probes). Fingerprints are already mixed, so
// their low bits index the table directly.
type fpTable struct {
	keys []uint64
	ids  []uint32 // id+1; 0 marks an empty slot
	n    int
}

func newFPTable() *fpTable {
	return &fpTable{keys: make([]uint64, 1<<16), ids: make([]uint32, 1<<16)}
}

func (t *fpTable) lookup(fp uint64) (uint32, bool) {
	mask := uint64(len(t.keys) - 1)
	for i := fp & mask; t.ids[i] != 0; i = (i + 1) & mask {
		if t.keys[i] == fp {
			return t.ids[i] - 1, true
		}
	}
	return 0, false
}

func (t *fpTable) insert(fp uint64, id uint32) {
	if 2*(t.n+1) > len(t.keys) {
		old, oldIDs := t.keys, t.ids
		t.keys, t.ids = make([]uint64, 2*len(old)), make([]uint32, 2*len(old))
		t.n = 0
		for i, v := range oldIDs {
			if v != 0 {
				t.put(old[i], v)
			}
		}
	}
	t.put(fp, id+1)
}

func (t *fpTable) put(fp uint64, v uint32) {
	mask := uint64(len(t.keys) - 1)
	i := fp & mask
	for ; t.ids[i] != 0; i = (i + 1) & mask {
		if t.keys[i] == fp {
			t.ids[i] = v
			return
		}
	}
	t.keys[i], t.ids[i] = fp, v
	t.n++
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
