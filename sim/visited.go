package sim

import "math/bits"

// visited is the set of states a search has stored, by fingerprint.
type visited interface {
	// lookup reports whether fp was stored, and its id when the set
	// keeps ids (a bitstate set returns 0).
	lookup(fp uint64) (uint32, bool)
	insert(fp uint64, id uint32)
}

// fpSet is the exact set: a map from fingerprint to state id.
type fpSet map[uint64]uint32

func (s fpSet) lookup(fp uint64) (uint32, bool) { id, ok := s[fp]; return id, ok }
func (s fpSet) insert(fp uint64, id uint32)     { s[fp] = id }

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
