package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/umcgcheck/umcgcheck/sim"
)

// A long search must not lose its results: a guard turns SIGINT and
// SIGTERM, and memory use above --max-memory, into a reason the engine
// reads through sim.Explorer.Stop, so that the search ends as INCOMPLETE
// and the report of what it covered is still printed.

// defaultMemoryShare is the share of the available memory a search may
// use when --max-memory is not given: the rest is for the machine.
const defaultMemoryShare = 0.8

// guard watches for signals and for memory use above a bound.
type guard struct {
	max    uint64 // bytes; 0: no bound
	reason atomic.Pointer[string]
	used   atomic.Uint64 // bytes in use when the bound was crossed
	done   chan struct{}
	wg     sync.WaitGroup
	sigs   chan os.Signal
	limit  int64 // the runtime's memory limit before the guard
}

// startGuard starts watching; stop ends it. A first signal asks the search
// to stop (and says so on stderr); a second one kills the process as
// usual.
func startGuard(max uint64, stderr io.Writer, name string) *guard {
	g := &guard{max: max, done: make(chan struct{}), sigs: make(chan os.Signal, 1)}
	signal.Notify(g.sigs, os.Interrupt, syscall.SIGTERM)
	g.limit = debug.SetMemoryLimit(-1)
	if max > 0 && max < uint64(g.limit) {
		// The garbage collector works harder near the bound before the
		// guard calls it exhausted.
		debug.SetMemoryLimit(int64(max))
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-g.done:
				return
			case s := <-g.sigs:
				signal.Stop(g.sigs) // a second signal ends the process
				g.set("signal")
				fmt.Fprintf(stderr, "\numcgcheck %s: %v: finishing the report of what was covered (again to quit at once)\n", name, s)
			case <-tick.C:
				if u := memoryInUse(); g.max > 0 && u > g.max {
					g.used.CompareAndSwap(0, u)
					g.set("max-memory")
				}
			}
		}
	}()
	return g
}

func (g *guard) set(why string) { g.reason.CompareAndSwap(nil, &why) }

// next readies the guard for the next configuration: a signal stops the
// whole job, but the memory bound stops one search, whose memory is then
// given back.
func (g *guard) next() {
	if p := g.reason.Load(); p != nil && *p == "max-memory" {
		debug.FreeOSMemory()
		g.used.Store(0)
		g.reason.CompareAndSwap(p, nil)
	}
}

// stopReason is sim.Explorer.Stop: "" while the search may go on.
func (g *guard) stopReason() string {
	if p := g.reason.Load(); p != nil {
		return *p
	}
	return ""
}

func (g *guard) stop() {
	signal.Stop(g.sigs)
	close(g.done)
	g.wg.Wait()
	debug.SetMemoryLimit(g.limit)
}

// memoryInUse is the memory the Go runtime holds from the system and has
// not given back, plus what the searches hold outside the Go heap: about
// the process's resident size.
func memoryInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total {
		return sim.OffHeapBytes()
	}
	return total - released + sim.OffHeapBytes()
}

// availableMemory is what the machine (or the cgroup the process runs in,
// when that is less) can still give: MemAvailable from /proc/meminfo, and
// memory.max less memory.current of a cgroup v2. ok is false when neither
// can be read.
func availableMemory() (avail uint64, ok bool) {
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemAvailable:" {
				if kb, err := strconv.ParseUint(fields[1], 10, 64); err == nil {
					avail, ok = kb*1024, true
				}
			}
		}
		f.Close()
	}
	read := func(path string) (uint64, bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil // "max" is no limit
	}
	if lim, ok1 := read("/sys/fs/cgroup/memory.max"); ok1 {
		cur, _ := read("/sys/fs/cgroup/memory.current")
		if cur < lim && (!ok || lim-cur < avail) {
			avail, ok = lim-cur, true
		}
	}
	return avail, ok
}

// maxMemoryFlag is --max-memory: a size (4G, 512MiB, 2000000000), a share
// of the available memory (50%), or 0 for no bound. The default is
// defaultMemoryShare of the available memory.
type maxMemoryFlag struct {
	bytes uint64
	text  string // as given, or how the default was found
	set   bool
}

func (f *maxMemoryFlag) String() string { return f.text }

func (f *maxMemoryFlag) Set(s string) error {
	b, err := parseMemory(s)
	if err != nil {
		return err
	}
	f.bytes, f.text, f.set = b, s, true
	return nil
}

// resolve fills in the default when the flag was not given.
func (f *maxMemoryFlag) resolve() {
	if f.set {
		return
	}
	if avail, ok := availableMemory(); ok {
		f.bytes = uint64(float64(avail) * defaultMemoryShare)
		f.text = fmt.Sprintf("%.0f%% of the %s available", defaultMemoryShare*100, formatBytes(avail))
	}
}

func parseMemory(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(t, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v <= 0 || v > 100 {
			return 0, fmt.Errorf("%q is not a share in (0, 100]%%", s)
		}
		avail, ok := availableMemory()
		if !ok {
			return 0, fmt.Errorf("%q: the available memory cannot be read here; give a size", s)
		}
		return uint64(float64(avail) * v / 100), nil
	}
	return parseBytes(s)
}

// parseBytes reads a size: bytes, or with a binary unit (4G, 512MiB).
func parseBytes(s string) (uint64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "B"), "I")
	mult := uint64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*float64(mult) >= 1<<63 {
		return 0, fmt.Errorf("%q is not a size (such as 4G or 512M; 0 for no bound)", s)
	}
	return uint64(v * float64(mult)), nil
}

// formatBytes prints a size in binary units, as the flags take them.
func formatBytes(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// sizeFlag is a flag holding a size in bytes (4G, 512M; 0: no bound).
type sizeFlag struct {
	bytes uint64
	text  string
}

func (f *sizeFlag) String() string { return f.text }

func (f *sizeFlag) Set(s string) error {
	b, err := parseBytes(s)
	if err != nil {
		return err
	}
	f.bytes, f.text = b, s
	return nil
}
