package traces

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

// benchTrace is a trace of n ops: servers running workers that block and
// unblock, in canonical form.
func benchTrace(b *testing.B, n int) []byte {
	b.Helper()
	const pairs = 8
	h := Header{Version: Version, Source: "bench", Clock: ClockNS, Groups: []string{"g1"}}
	for i := 0; i < pairs; i++ {
		h.Tasks = append(h.Tasks, "s"+strconv.Itoa(i), "w"+strconv.Itoa(i))
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, testVocab)
	if err := w.WriteHeader(h); err != nil {
		b.Fatal(err)
	}
	now := int64(0)
	for i := 0; i < n; {
		for p := 0; p < pairs && i < n; p++ {
			s, wk := h.Tasks[2*p], h.Tasks[2*p+1]
			for _, op := range []Op{
				{Thread: s, Kind: "run_worker", Phase: PhaseRequest, Args: Args{Worker: wk}},
				{Thread: wk, Kind: "block"},
				{Thread: s, Kind: "run_worker", Phase: PhaseFollowup, Ret: NameRet(wk)},
				{Thread: wk, Kind: "unblock"},
			} {
				now += 10
				op.Call, op.Return = now, now+5
				if err := w.WriteOp(op); err != nil {
					b.Fatal(err)
				}
				i++
			}
		}
	}
	return buf.Bytes()
}

func BenchmarkReader(b *testing.B) {
	const n = 100000
	data := benchTrace(b, n)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r := NewReader(bytes.NewReader(data), "bench", testVocab)
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkWriter(b *testing.B) {
	const n = 100000
	data := benchTrace(b, n)
	tr, err := ReadAll(bytes.NewReader(data), "bench", testVocab)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if err := WriteAll(io.Discard, tr, testVocab); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
