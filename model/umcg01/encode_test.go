package umcg01

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/umcgcheck/umcgcheck/sim"
	"pgregory.net/rapid"
)

// referenceEncoding is the encoding as the format defines it, written
// field by field with append (how AppendEncoding was written before it
// wrote into fixed-size arrays). The encoding is in checkpoints (the
// frontier) and in the trace checker's search states: it must not change
// by a bit.
func referenceEncoding(s *State) []byte {
	var b []byte
	if s.SleepsUsed > 0 {
		b = append(b, s.N|0x80, s.G, s.FaultsUsed, s.SleepsUsed)
	} else {
		b = append(b, s.N, s.G, s.FaultsUsed)
	}
	for i := 0; i < int(s.N); i++ {
		t := &s.T[i]
		var fl uint8
		if t.Freed {
			fl |= 1
		}
		if t.InWait {
			fl |= 2
		}
		if t.Dangling {
			fl |= 4
		}
		fl |= uint8(t.Nap)<<3 | uint8(t.TLSKind)<<5
		b = append(b, t.PC, t.Iter, uint8(t.Status), t.Sig, uint8(t.Fn), t.LPC,
			uint8(t.Arg), uint8(t.Ptr), t.PtrGen, t.Local)
		b = binary.LittleEndian.AppendUint16(b, uint16(t.Ret))
		b = append(b, uint8(t.Errno), uint8(t.SysRet), t.TLS, t.Gen, fl)
		b = binary.LittleEndian.AppendUint16(b, uint16(t.Word))
		b = append(b, uint8(t.Kind), uint8(t.Group), uint8(t.Peer), uint8(t.Sleep),
			uint8(t.Wake), uint8(t.Out), uint8(t.Reason), uint8(t.GEntry), uint8(t.GKern), uint8(t.GRan))
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		ex := uint8(0)
		if gr.Exists {
			ex = 1
		}
		if gr.Unlisted {
			ex |= 2
		}
		b = append(b, gr.Lib, ex, gr.NrTasks, gr.NWait)
		for i := 0; i < int(gr.NWait); i++ {
			b = append(b, uint8(gr.Waiters[i]))
		}
		b = append(b, gr.NGhost)
		for i := 0; i < int(gr.NGhost); i++ {
			b = append(b, uint8(gr.Ghost[i]))
		}
	}
	return b
}

// TestEncodingIsTheReference: AppendEncoding writes exactly the reference
// bytes, after whatever b already holds, for states of random walks (every
// fault, sleeps, two groups) and for states with every field drawn at
// random (values no walk reaches).
func TestEncodingIsTheReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := DefaultConfig()
		c.Variant = Variant(rapid.IntRange(0, 1).Draw(t, "variant"))
		c.Groups = rapid.IntRange(1, 2).Draw(t, "groups")
		c.Servers = rapid.IntRange(1, 2).Draw(t, "servers")
		c.Workers = rapid.IntRange(1, 3).Draw(t, "workers")
		c.Faults = Fault(rapid.IntRange(0, int(AllFaults)).Draw(t, "faults"))
		c.Sleeps = rapid.IntRange(0, 2).Draw(t, "sleeps")
		m, err := New(c)
		if err != nil {
			t.Skip(err)
		}
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "prefix")
		s := m.Init()
		var buf []Action
		for i := 0; i < 100; i++ {
			want := append(append([]byte(nil), prefix...), referenceEncoding(&s)...)
			if got := s.AppendEncoding(append([]byte(nil), prefix...)); !bytes.Equal(got, want) {
				t.Fatalf("step %d: encoding\n%x, want\n%x", i, got, want)
			}
			buf = m.Enabled(&s, buf[:0])
			if len(buf) == 0 {
				break
			}
			m.Step(&s, buf[rapid.IntRange(0, len(buf)-1).Draw(t, "action")])
		}
	})
}

func TestEncodingOfRandomFields(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var s State
		s.N = uint8(rapid.IntRange(0, MaxThreads).Draw(t, "n"))
		s.G = uint8(rapid.IntRange(0, MaxGroups).Draw(t, "g"))
		s.FaultsUsed, s.SleepsUsed = rapid.Byte().Draw(t, "faults"), rapid.Byte().Draw(t, "sleeps")
		for i := range s.T[:s.N] {
			r := rapid.SliceOfN(rapid.Byte(), 34, 34).Draw(t, "thread")
			s.T[i] = Thread{
				PC: r[0], Iter: r[1], Status: Status(r[2]), Sig: r[3], Fn: Call(r[4]), LPC: r[5],
				Arg: int8(r[6]), Ptr: int8(r[7]), PtrGen: r[8], Local: r[9], Ret: int16(uint16(r[10]) | uint16(r[11])<<8),
				Errno: Errno(r[12]), SysRet: Errno(r[13]), TLS: r[14], Gen: r[15], Freed: r[16]&1 != 0,
				Word: TaskState(uint16(r[17]) | uint16(r[18])<<8), TLSKind: Kind(r[29] & 3),
				Kind: Kind(r[19]), Group: int8(r[20]), Peer: int8(r[21]), InWait: r[30]&1 != 0, Sleep: Sleep(r[22]),
				Wake: Wake(r[23]), Out: int8(r[24]), Reason: Reason(r[25]), Dangling: r[31]&1 != 0, Nap: Nap(r[32] & 3),
				GEntry: Errno(r[26]), GKern: Errno(r[27]), GRan: int8(r[28]),
			}
		}
		for g := range s.Grp[:s.G] {
			gr := &s.Grp[g]
			gr.Lib, gr.Exists, gr.Unlisted = rapid.Byte().Draw(t, "lib"), rapid.Bool().Draw(t, "exists"), rapid.Bool().Draw(t, "unlisted")
			gr.NrTasks = rapid.Byte().Draw(t, "nrtasks")
			gr.NWait = uint8(rapid.IntRange(0, MaxThreads).Draw(t, "nwait"))
			gr.NGhost = uint8(rapid.IntRange(0, MaxThreads).Draw(t, "nghost"))
			for i := range gr.Waiters {
				gr.Waiters[i], gr.Ghost[i] = int8(rapid.Byte().Draw(t, "w")), int8(rapid.Byte().Draw(t, "gh"))
			}
		}
		if got, want := s.AppendEncoding(nil), referenceEncoding(&s); !bytes.Equal(got, want) {
			t.Fatalf("encoding\n%x, want\n%x", got, want)
		}
	})
}

// raceStates are states of a random walk of the race configuration
// (single, 5 workers, seed), for the benchmarks of the encoding.
func raceStates(b *testing.B) []State {
	m, err := New(RaceConfig())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var out []State
	s := m.Init()
	var buf []Action
	for len(out) < 256 {
		buf = m.Enabled(&s, buf[:0])
		if len(buf) == 0 {
			s = m.Init()
			continue
		}
		m.Step(&s, buf[rng.IntN(len(buf))])
		out = append(out, s)
	}
	return out
}

// BenchmarkEncode measures AppendEncoding into a reused buffer, as the
// explorer encodes every successor.
func BenchmarkEncode(b *testing.B) {
	ss := raceStates(b)
	buf := make([]byte, 0, EncodedSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = ss[i%len(ss)].AppendEncoding(buf[:0])
	}
}

// BenchmarkDecode measures Decode of those states' encodings, as the
// explorer decodes every state it expands.
func BenchmarkDecode(b *testing.B) {
	ss := raceStates(b)
	encs := make([][]byte, len(ss))
	for i := range ss {
		encs[i] = ss[i].AppendEncoding(nil)
	}
	var s State
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Decode(encs[i%len(encs)])
	}
}

// BenchmarkEncodeHash measures the explorer's per-successor work on the
// encoding: encode, then hash what was written.
func BenchmarkEncodeHash(b *testing.B) {
	ss := raceStates(b)
	buf := make([]byte, 0, EncodedSize)
	var sink uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = ss[i%len(ss)].AppendEncoding(buf[:0])
		sink ^= sim.SeededHash(buf, 0)
	}
	_ = sink
}

// BenchmarkHash measures the hash alone, of encodings written long before.
func BenchmarkHash(b *testing.B) {
	ss := raceStates(b)
	encs := make([][]byte, len(ss))
	for i := range ss {
		encs[i] = ss[i].AppendEncoding(nil)
	}
	var sink uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink ^= sim.SeededHash(encs[i%len(encs)], 0)
	}
	_ = sink
}
