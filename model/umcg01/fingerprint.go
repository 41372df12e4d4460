package umcg01

import (
	"encoding/binary"
	"math/bits"
	"unsafe"

	"github.com/umcgcheck/umcgcheck/sim"
)

// The explorer's fingerprint of a State (sim.Model.Fingerprint), read
// straight from the State's memory: the explorer fingerprints every
// successor (about 3.4 per state it stores) and most are states stored
// already, so encoding each first (AppendEncoding) only to hash the bytes
// cost it as much as the hash.
//
// What it reads is exactly what the encoding holds: the counts N, G,
// FaultsUsed and SleepsUsed, the N threads' bytes, and of each of the G
// groups its fields and its NWait waiters and NGhost ghosts. A Thread's
// fields are all one byte except Ret and Word (two), every value a field
// can hold is encoded (bools are 0 or 1, Nap and TLSKind fit the
// encoding's two bits), so two states with the same encoding have the same
// bytes in those places, except a Thread's padding (padMask), which the
// fingerprint masks: Decode and CopyState leave it as they find it. The
// slots past N threads and G groups, and a group's lists past their
// counts, are not read (sim.Model.Copy's contract).
//
// The hash is XXH3's for inputs of 17 to 240 bytes (Yann Collet, xxHash:
// a sum of 128-bit products of input words xored with secret words, each
// product folded to 64 bits, high half xor low; the seed added to the
// secrets), over 8-byte words at fixed places, with secrets of its own per
// word and per thread or group slot (drawn from splitmix64: a thread's
// bytes count differently in each slot), finished with splitmix64's
// finalizer (a bijection). Each product mixes two full words, and the sum
// of such terms over distinct inputs behaves as a uniform 64-bit value, so
// the search's collision estimate (n^2/2^65 for n states) holds as for
// sim.SeededHash; TestFingerprintMixes measures the low, middle and high
// bits against the birthday count on every state of a configuration.

// threadSize is a Thread's size in memory: 33 bytes of fields and one of
// padding (the compile-time checks below keep it so; the hash reads a
// thread as five words at fixed places).
const threadSize = 34

const (
	_ = uint(unsafe.Sizeof(Thread{}) - threadSize)
	_ = uint(threadSize - unsafe.Sizeof(Thread{}))
)

// padMask is the mask of a thread's third word (bytes 16 to 23, of the
// five the hash reads: at 0, 8, 16, 24 and 26, the last two overlapping)
// that leaves out its padding byte, 17; the other words hold fields only
// (TestThreadLayout).
const padMask = 0xffff_ffff_ffff_00ff

// littleEndian is whether a Thread's two-byte fields lie in memory as the
// hash reads them (little-endian); elsewhere threadImage swaps them, so
// that fingerprints are the same on every machine (checkpoints hold them).
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// The secrets: per thread slot six words, per group slot one for its
// fields and, per list (waiters, ghosts), one per 8-byte chunk, and one for
// the counts. Drawn from splitmix64 at a fixed start: the same everywhere.
var (
	threadSecret [MaxThreads][6]uint64
	groupSecret  [MaxGroups][2 + 2*listChunks]uint64
	countSecret  [2]uint64
)

// listChunks is how many 8-byte chunks a group's list of MaxThreads
// threads takes.
const listChunks = (MaxThreads + 7) / 8

func init() {
	x := uint64(0x5ca1ab1e0ddba11)
	next := func() uint64 { // splitmix64
		x += 0x9E3779B97F4A7C15
		return sim.Mix64(x)
	}
	for i := range threadSecret {
		for j := range threadSecret[i] {
			threadSecret[i][j] = next()
		}
	}
	for i := range groupSecret {
		for j := range groupSecret[i] {
			groupSecret[i][j] = next()
		}
	}
	countSecret[0], countSecret[1] = next(), next()
}

// mum is XXH3's and wyhash's mixer: the 128-bit product of a and b, its
// halves xored.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// le64 reads 8 bytes little-endian.
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// SearchFingerprint is the explorer's fingerprint of s under seed
// (sim.Model.Fingerprint; seed is --hash-seed's): equal states (the same
// encoding) give equal values, whatever the slots s does not use hold. It
// is not Fingerprint, the hash of the encoding.
func (s *State) SearchFingerprint(seed uint64) uint64 { return s.searchFingerprint(seed, littleEndian) }

// searchFingerprint is SearchFingerprint, reading the threads' memory as
// it lies when le (a little-endian machine) and through threadImage
// otherwise.
func (s *State) searchFingerprint(seed uint64, le bool) uint64 {
	n, ng := int(s.N), int(s.G)
	counts := uint64(s.N) | uint64(s.G)<<8 | uint64(s.FaultsUsed)<<16 | uint64(s.SleepsUsed)<<24
	// The second factor of a product with one input word is a secret made
	// odd, not seeded: it can never be 0 (which would drop the word).
	acc := mum(counts^(countSecret[0]+seed), countSecret[1]|1)
	var img [threadSize]byte
	for i := range s.T[:n] {
		b := (*[threadSize]byte)(unsafe.Pointer(&s.T[i]))
		if !le {
			img = threadImage(&s.T[i])
			b = &img
		}
		k := &threadSecret[i]
		acc += mum(le64(b[0:])^(k[0]+seed), le64(b[8:])^(k[1]-seed))
		acc += mum(le64(b[16:])&padMask^(k[2]+seed), le64(b[24:])^(k[3]-seed))
		acc += mum(le64(b[26:])^(k[4]+seed), k[5]|1)
	}
	for g := range ng {
		gr := &s.Grp[g]
		k := &groupSecret[g]
		fields := uint64(gr.Lib) | b2u(gr.Exists)<<8 | b2u(gr.Unlisted)<<16 | uint64(gr.NrTasks)<<24 |
			uint64(gr.NWait)<<32 | uint64(gr.NGhost)<<40
		acc += mum(fields^(k[0]+seed), k[1]|1)
		acc += hashList(gr.Waiters[:], int(gr.NWait), k[2:2+listChunks], k[1]|1, seed)
		acc += hashList(gr.Ghost[:], int(gr.NGhost), k[2+listChunks:], k[1]|1, seed)
	}
	return sim.Mix64(acc)
}

// hashList is the sum of the products of l[:n] taken 8 bytes at a time
// (the last chunk padded with zeros: n, in the group's fields, tells how
// long the list is).
func hashList(l []int8, n int, secret []uint64, odd, seed uint64) uint64 {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&l[0])), len(l))
	var acc uint64
	for c := 0; c*8 < n; c++ {
		var w uint64
		if rest := n - c*8; rest >= 8 {
			w = le64(b[c*8:])
		} else if c*8+8 <= len(b) {
			w = le64(b[c*8:]) & (1<<(8*rest) - 1)
		} else {
			for j := range rest {
				w |= uint64(b[c*8+j]) << (8 * j)
			}
		}
		acc += mum(w^(secret[c]+seed), odd)
	}
	return acc
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// threadImage is t's bytes as they lie in a little-endian machine's
// memory: its bytes, with the two-byte fields (Ret and Word, the only
// ones: TestThreadLayout) written little-endian.
func threadImage(t *Thread) [threadSize]byte {
	img := *(*[threadSize]byte)(unsafe.Pointer(t))
	binary.LittleEndian.PutUint16(img[unsafe.Offsetof(t.Ret):], uint16(t.Ret))
	binary.LittleEndian.PutUint16(img[unsafe.Offsetof(t.Word):], uint16(t.Word))
	return img
}
