package umcg01

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// TestDecodeInvertsEncoding: every state reached by a random walk decodes
// back to a state with the same encoding and fingerprint.
func TestDecodeInvertsEncoding(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := DefaultConfig()
		c.Variant = Variant(rapid.IntRange(0, 1).Draw(t, "variant"))
		c.Servers = rapid.IntRange(1, 2).Draw(t, "servers")
		c.Workers = rapid.IntRange(1, 3).Draw(t, "workers")
		c.CorePairs = rapid.IntRange(0, 1).Draw(t, "pairs")
		c.Swaps = 2
		c.Probes = rapid.SliceOfDistinct(rapid.SampledFrom(ProbeNames()), rapid.ID[string]).Draw(t, "probes")
		c.Faults = Fault(rapid.IntRange(0, int(AllFaults)).Draw(t, "faults"))
		c.Yields = rapid.IntRange(0, 1).Draw(t, "yields")
		c.Sleeps = rapid.IntRange(0, 2).Draw(t, "sleeps")
		m, err := New(c)
		if err != nil {
			t.Skip(err)
		}
		s := m.Init()
		var buf []Action
		for i := 0; i < 200; i++ {
			enc := s.AppendEncoding(nil)
			var d State
			if !d.Decode(enc) {
				t.Fatalf("step %d: Decode rejects an encoding", i)
			}
			if got := d.AppendEncoding(nil); !bytes.Equal(got, enc) || d.Fingerprint() != s.Fingerprint() {
				t.Fatalf("step %d: decode then encode differs", i)
			}
			buf = m.Enabled(&s, buf[:0])
			if len(buf) == 0 {
				break
			}
			m.Step(&s, buf[rapid.IntRange(0, len(buf)-1).Draw(t, "action")])
		}
	})
}

func TestDecodeRejectsGarbage(t *testing.T) {
	m, _ := New(DefaultConfig())
	s := m.Init()
	enc := s.AppendEncoding(nil)
	var d State
	for _, b := range [][]byte{nil, {1}, enc[:len(enc)-1], append(append([]byte(nil), enc...), 0), {200, 0, 0}} {
		if d.Decode(b) {
			t.Errorf("Decode(%v) accepted garbage", b)
		}
	}
}
