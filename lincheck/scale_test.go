package lincheck

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// spreadTimes gives the ops of a sequential run (op i by thread
// threads[i], in the order it ran) intervals that overlap: op i is called
// at 10i and returns at 10i+d, or when its thread calls its next op if
// that is sooner. Each op can still take effect at its call, in the
// order of the run, so a run the specification allowed stays
// linearizable; about d/10 ops are pending at once where the threads
// allow it.
func spreadTimes(threads []int, d int64) (call, ret []int64) {
	call, ret = make([]int64, len(threads)), make([]int64, len(threads))
	next := map[int]int{}
	for i := len(threads) - 1; i >= 0; i-- {
		call[i], ret[i] = 10*int64(i), 10*int64(i)+d
		if j, ok := next[threads[i]]; ok {
			ret[i] = min(ret[i], 10*int64(j))
		}
		next[threads[i]] = i
	}
	return call, ret
}

// maxPending is the most ops of a history pending at one time.
func maxPending(call, ret []int64) int {
	most := 0
	for i := range call {
		n := 0
		for j := max(0, i-200); j <= i; j++ { // the generators' ops overlap their 200 predecessors at most
			if ret[j] >= call[i] {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

// poolTrace generates a linearizable trace of n operations in one group
// g: k servers, each polling for a worker and running it, and k workers
// that block and unblock over and over; which thread moves next is drawn
// at random, each result is the specification's (model.Spec Run), and
// the ops overlap by d (spreadTimes).
func poolTrace(tb fataler, n, k int, d int64, seed uint64) traces.Trace {
	tb.Helper()
	sp, err := model.NewSpec(2*k, 1, 1)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, 2*k)
	for i := 0; i < k; i++ {
		names[i], names[k+i] = "s"+strconv.Itoa(i), "w"+strconv.Itoa(i)
	}
	// Each thread's program, as the next op it would do: servers
	// register, then poll, run what they got, and again; workers
	// register, then block and unblock.
	pc := make([]int, 2*k)
	got := make([]int8, k) // the worker a server's poll returned
	nextOp := func(t int) model.SpecOp {
		so := model.SpecOp{Thread: int8(t), Arg: model.None}
		if t < k {
			switch {
			case pc[t] == 0:
				so.Call, so.Arg = model.CallRegisterServer, 0
			case pc[t]%4 == 1:
				so.Call, so.Phase = model.CallPollWorker, model.Request
			case pc[t]%4 == 2:
				so.Call, so.Phase = model.CallPollWorker, model.Followup
			case pc[t]%4 == 3:
				so.Call, so.Phase, so.Arg = model.CallRunWorker, model.Request, got[t]
			default:
				so.Call, so.Phase = model.CallRunWorker, model.Followup
			}
			return so
		}
		switch {
		case pc[t] == 0:
			so.Call, so.Phase, so.Arg = model.CallRegisterWorker, model.Request, 0
		case pc[t] == 1:
			so.Call, so.Phase = model.CallRegisterWorker, model.Followup
		case pc[t]%2 == 0:
			so.Event = model.EventBlock
		default:
			so.Event = model.EventUnblock
		}
		return so
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	s := sp.Init()
	var tr traces.Trace
	tr.Header = traces.Header{Version: traces.Version, Source: "bench", Clock: traces.ClockNS, Tasks: names, Groups: []string{"g"}}
	var threads []int
	for len(tr.Ops) < n {
		moved := false
		for _, t := range rng.Perm(2 * k) {
			try := s
			r, ok := sp.Run(&try, nextOp(t))
			if !ok {
				continue
			}
			s = try
			if t < k && r.Call == model.CallPollWorker && r.Phase == model.Followup {
				got[t] = int8(r.Ret) - 1
			}
			tr.Ops = append(tr.Ops, specTraceOp(r, names, "g"))
			threads = append(threads, t)
			pc[t]++
			moved = true
			break
		}
		if !moved {
			tb.Fatalf("the generator's threads are stuck after %d ops", len(tr.Ops))
		}
	}
	call, ret := spreadTimes(threads, d)
	for i := range tr.Ops {
		tr.Ops[i].Call, tr.Ops[i].Return = call[i], ret[i]
	}
	return tr
}

// fataler is what the generators need of a testing.TB or a rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// specTraceOp writes a specification op (with its result) as a trace op.
func specTraceOp(so model.SpecOp, names []string, group string) traces.Op {
	op := traces.Op{Thread: names[so.Thread], Kind: kindOf(so), Phase: phaseOf(so.Phase)}
	if so.Event != model.NoEvent {
		return op
	}
	switch {
	case so.Phase == model.Followup: // its args are on the request
	case so.Call.Arg() == model.ArgGroup:
		op.Args.Group = group
	case so.Call.Arg() == model.ArgThread:
		op.Args.Worker = names[so.Arg]
	}
	if so.Phase == model.Request {
		return op
	}
	op.Ret = traces.IntRet(int64(so.Ret))
	if so.Call.Result() == model.ResultThread && so.Ret > 0 {
		op.Ret = traces.NameRet(names[so.Ret-1])
	}
	op.Errno = int(so.Errno)
	return op
}

// registerHistory generates a linearizable history of n operations of k
// clients on one register (reads and writes, drawn at random, the reads'
// values those of the sequential run), overlapping by d (spreadTimes).
func registerHistory(n, k int, d int64, seed uint64) []porcupine.Operation {
	rng := rand.New(rand.NewPCG(seed, 9))
	threads := make([]int, n)
	h := make([]porcupine.Operation, n)
	v := 0
	for i := range h {
		c := rng.IntN(k)
		threads[i] = c
		in := registerInput{write: rng.IntN(2) == 0, value: rng.IntN(100)}
		if in.write {
			v = in.value
		} else {
			in.value = v
		}
		h[i] = porcupine.Operation{ClientId: c, Input: in}
	}
	call, ret := spreadTimes(threads, d)
	for i := range h {
		h[i].Call, h[i].Return = call[i], ret[i]
	}
	return h
}

type registerInput struct {
	write bool
	value int
}

// registerModel is porcupine's textbook register.
var registerModel = porcupine.Model{
	Init: func() any { return 0 },
	Step: func(state, input, _ any) (bool, any) {
		in := input.(registerInput)
		if in.write {
			return true, in.value
		}
		return in.value == state.(int), state
	},
}

func TestGeneratorsAreLinearizable(t *testing.T) {
	for _, k := range []int{1, 2, 4} {
		tr := poolTrace(t, 3000, k, 10*int64(k), 1)
		if err := traces.WriteAll(io.Discard, tr, model.Vocabulary()); err != nil {
			t.Fatalf("k=%d: %v", k, err)
		}
		res, err := Check(tr, time.Minute)
		if err != nil || res.Verdict != Linearizable {
			t.Fatalf("k=%d: %v %v %+v", k, err, res.Verdict, res.Partitions)
		}
		call, ret := make([]int64, len(tr.Ops)), make([]int64, len(tr.Ops))
		for i, op := range tr.Ops {
			call[i], ret[i] = op.Call, op.Return
		}
		t.Logf("k=%d: at most %d ops pending at once", k, maxPending(call, ret))
		h := registerHistory(3000, k, 10*int64(k), 1)
		if !porcupine.CheckOperations(registerModel, h) {
			t.Fatalf("k=%d: the register history is not linearizable", k)
		}
	}
}

// peakHeap samples the heap while f runs and returns its peak in bytes.
func peakHeap(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	return peak
}

// BenchmarkCheckScale reports time and peak heap against the length of a
// one-group trace (poolTrace: 2 servers, 2 workers, about 4 ops pending at
// once) and, beside it, porcupine alone on a register history of the same
// length and overlap. Porcupine keeps a bit set over the whole history per
// cached state, so its memory grows with the square of the length: it is
// not run at 10^6 operations (about 125 GB).
func BenchmarkCheckScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000, 1000000} {
		b.Run(fmt.Sprintf("ops=%d/checker=lincheck", n), func(b *testing.B) {
			tr := poolTrace(b, n, 2, 40, 1)
			benchCheck(b, tr)
		})
		b.Run(fmt.Sprintf("ops=%d/checker=porcupine-register", n), func(b *testing.B) {
			if n > 100000 {
				b.Skip("porcupine's cache would need about 125 GB")
			}
			benchRegister(b, registerHistory(n, 2, 40, 1))
		})
	}
}

// BenchmarkCheckConcurrency reports time and peak heap against the number
// of operations pending at once (the max-pending metric), on 10^5
// operations in one group (poolTrace with k servers and k workers, ops
// spread over 10k ns), beside porcupine alone on a register history with
// k clients.
func BenchmarkCheckConcurrency(b *testing.B) {
	const n = 100000
	for _, k := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("clients=%d/checker=lincheck", k), func(b *testing.B) {
			benchCheck(b, poolTrace(b, n, k, 10*int64(k), 1))
		})
		b.Run(fmt.Sprintf("clients=%d/checker=porcupine-register", k), func(b *testing.B) {
			benchRegister(b, registerHistory(n, k, 10*int64(k), 1))
		})
	}
}

func benchCheck(b *testing.B, tr traces.Trace) {
	b.ResetTimer()
	var peak uint64
	for range b.N {
		peak = max(peak, peakHeap(func() {
			res, err := Check(tr, 0)
			if err != nil || res.Verdict != Linearizable {
				b.Fatalf("%v %v", err, res.Verdict)
			}
		}))
	}
	b.ReportMetric(float64(len(tr.Ops))*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	call, ret := make([]int64, len(tr.Ops)), make([]int64, len(tr.Ops))
	for i, op := range tr.Ops {
		call[i], ret[i] = op.Call, op.Return
	}
	b.ReportMetric(float64(maxPending(call, ret)), "max-pending")
}

func benchRegister(b *testing.B, h []porcupine.Operation) {
	b.ResetTimer()
	var peak uint64
	for range b.N {
		peak = max(peak, peakHeap(func() {
			if !porcupine.CheckOperations(registerModel, h) {
				b.Fatal("not linearizable")
			}
		}))
	}
	b.ReportMetric(float64(len(h))*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	call, ret := make([]int64, len(h)), make([]int64, len(h))
	for i, op := range h {
		call[i], ret[i] = op.Call, op.Return
	}
	b.ReportMetric(float64(maxPending(call, ret)), "max-pending")
}
