package umcg01

import (
	"bytes"
	"math/rand/v2"
	"reflect"
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

// TestDecodeWritesEveryField: Decode writes every field of the threads and
// groups the encoding holds, whatever the slots held before: decoding into
// a state whose every field is set (to values no encoding here holds) gives
// the same state as decoding into a zero one.
func TestDecodeWritesEveryField(t *testing.T) {
	c := DefaultConfig()
	c.Workers, c.Sleeps = 3, 1
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	var junk State
	set := func(v reflect.Value) {
		for i := range v.NumField() {
			switch f := v.Field(i); f.Kind() {
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Uint8, reflect.Uint16:
				f.SetUint(99)
			case reflect.Int8, reflect.Int16:
				f.SetInt(-99)
			case reflect.Array:
				for j := range f.Len() {
					f.Index(j).SetInt(-99)
				}
			default:
				t.Fatalf("field %s: kind %s not covered", v.Type().Field(i).Name, f.Kind())
			}
		}
	}
	for i := range junk.T {
		set(reflect.ValueOf(&junk.T[i]).Elem())
	}
	for g := range junk.Grp {
		set(reflect.ValueOf(&junk.Grp[g]).Elem())
	}
	s := m.Init()
	var buf []Action
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300; i++ {
		enc := s.AppendEncoding(nil)
		var fresh State
		dirty := junk
		if !fresh.Decode(enc) || !dirty.Decode(enc) {
			t.Fatalf("step %d: Decode rejects an encoding", i)
		}
		// A group's queues past their lengths are not the state's
		// (State): Group.Equal compares what is.
		if !reflect.DeepEqual(fresh.T[:fresh.N], dirty.T[:dirty.N]) || fresh.G != dirty.G {
			t.Fatalf("step %d: Decode left a field of the slot as it was:\n%+v\n%+v", i, fresh.T[:fresh.N], dirty.T[:dirty.N])
		}
		for g := range fresh.G {
			if !fresh.Grp[g].Equal(&dirty.Grp[g]) {
				t.Fatalf("step %d: Decode left a field of group %d as it was:\n%+v\n%+v", i, g, fresh.Grp[g], dirty.Grp[g])
			}
		}
		buf = m.Enabled(&s, buf[:0])
		if len(buf) == 0 {
			s = m.Init()
			continue
		}
		m.Step(&s, buf[rng.IntN(len(buf))])
	}
}
