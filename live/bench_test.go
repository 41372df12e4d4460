package live

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// nopMarker is a Marker that records nothing.
type nopMarker struct{}

func (nopMarker) Sleeping() {}
func (nopMarker) Woken()    {}

// pin locks the goroutine to its thread and the thread to cpu.
func pin(tb testing.TB, cpu int) {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu % runtime.NumCPU())
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		tb.Errorf("sched_setaffinity: %v", err)
	}
}

// emuHandoffs times n handoffs on the emu backend: a server's run_worker,
// from its call until it returns because the worker it ran blocked. The
// worker blocks as soon as it runs, and unblocks at once (it is handed to
// the server, which polls between two runs). The threads are pinned to
// cpuS and cpuW and exit afterwards (they stay locked).
func emuHandoffs(tb testing.TB, n, cpuS, cpuW int) []int64 {
	e := NewEmu(BugNone)
	g, _ := e.CreateGroup()
	lat := make([]int64, n)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // worker
		defer wg.Done()
		pin(tb, cpuW)
		w, err := e.RegisterWorker(g, 1, nopMarker{})
		if err != nil {
			tb.Error(err)
			return
		}
		for i := 0; i < n; i++ {
			e.Block(w)
			e.Unblock(w, nopMarker{})
		}
		e.Unregister(w)
	}()
	go func() { // server
		defer wg.Done()
		pin(tb, cpuS)
		s, _ := e.RegisterServer(g, 0)
		for i := 0; i <= n; i++ {
			w, err := e.PollWorker(s, nopMarker{})
			if err != nil || w == nil {
				tb.Errorf("poll: %v", err)
				return
			}
			t0 := now()
			e.RunWorker(s, w, nopMarker{})
			if i < n {
				lat[i] = now() - t0
			}
		}
		e.Unregister(s)
	}()
	wg.Wait()
	return lat
}

// futexPingPong times n round trips between two threads through raw
// futexes: A wakes B and sleeps; B wakes A.
func futexPingPong(tb testing.TB, n, cpuA, cpuB int) []int64 {
	var a, b uint32
	lat := make([]int64, n)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		pin(tb, cpuB)
		for i := 0; i < n; i++ {
			for atomic.SwapUint32(&b, 0) == 0 {
				futexWait(&b, 0)
			}
			atomic.StoreUint32(&a, 1)
			futexWake(&a, 1)
		}
	}()
	go func() {
		defer wg.Done()
		pin(tb, cpuA)
		for i := 0; i < n; i++ {
			t0 := now()
			atomic.StoreUint32(&b, 1)
			futexWake(&b, 1)
			for atomic.SwapUint32(&a, 0) == 0 {
				futexWait(&a, 0)
			}
			lat[i] = now() - t0
		}
	}()
	wg.Wait()
	return lat
}

func percentile(xs []int64, p float64) float64 {
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(p*float64(len(s)-1))])
}

// BenchmarkHandoff compares one emu handoff (run_worker -> the worker runs
// -> it blocks -> run_worker returns) with a raw futex ping-pong round trip
// between two locked threads, on the same CPU and across two CPUs, in one
// run. Metrics: p50 and p99 latencies in ns and their ratios emu/futex.
//
//	go test ./live -run '^$' -bench Handoff -benchtime 20000x
func BenchmarkHandoff(b *testing.B) {
	for _, place := range []struct {
		name   string
		c1, c2 int
	}{{"same-cpu", 0, 0}, {"cross-cpu", 0, 1}} {
		b.Run(place.name, func(b *testing.B) {
			if place.c1 != place.c2 && runtime.NumCPU() < 2 {
				b.Skip("one CPU")
			}
			n := max(b.N, 100)
			emuHandoffs(b, 100, place.c1, place.c2) // warm up
			futexPingPong(b, 100, place.c1, place.c2)
			b.ResetTimer()
			emu := emuHandoffs(b, n, place.c1, place.c2)
			fut := futexPingPong(b, n, place.c1, place.c2)
			b.StopTimer()
			e50, e99 := percentile(emu, 0.5), percentile(emu, 0.99)
			f50, f99 := percentile(fut, 0.5), percentile(fut, 0.99)
			b.ReportMetric(e50, "emu-p50-ns")
			b.ReportMetric(e99, "emu-p99-ns")
			b.ReportMetric(f50, "futex-p50-ns")
			b.ReportMetric(f99, "futex-p99-ns")
			b.ReportMetric(e50/f50, "ratio-p50")
			b.ReportMetric(e99/f99, "ratio-p99")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestHandoffRuns keeps the benchmark's code paths working.
func TestHandoffRuns(t *testing.T) {
	for _, c := range [][2]int{{0, 0}, {0, 1}} {
		if lat := emuHandoffs(t, 50, c[0], c[1]); len(lat) != 50 {
			t.Fatal(fmt.Sprint(len(lat)))
		}
		futexPingPong(t, 50, c[0], c[1])
	}
}
