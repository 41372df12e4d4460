package live

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	umcg01 "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
	"golang.org/x/sys/unix"
)

// Workload is what Run makes a backend do: Groups groups, each with
// Servers servers and Workers workers; each worker registers, performs
// Blocks blocking syscalls and unregisters; each server registers and loops
// poll_worker -> run_worker until Shutdown.
type Workload struct {
	// Name is "pipes" (each worker reads one byte at a time from its own
	// pipe, fed by a producer goroutine in a seeded random order with
	// seeded random pauses), "futex" (each worker FUTEX_WAITs on its own
	// word until the producer, with the same schedule, posts to it) or
	// "sleep" (each worker nanosleeps for seeded random durations).
	Name    string
	Groups  int
	Servers int // per group
	Workers int // per group
	Blocks  int // blocking syscalls per worker
	Seed    uint64
	// MaxPause bounds each nanosleep and each pause of the producer;
	// 0 means 50µs.
	MaxPause time.Duration
}

// Workloads lists the workload names.
func Workloads() []string { return []string{"futex", "pipes", "sleep"} }

// DefaultWorkload returns the workload name with the default size: 2
// groups of 2 servers and 3 workers, 3 blocking syscalls per worker.
func DefaultWorkload(name string, seed uint64) Workload {
	return Workload{Name: name, Groups: 2, Servers: 2, Workers: 3, Blocks: 3, Seed: seed}
}

// Validate checks the workload's name and sizes. lincheck.Check checks
// each group's tasks together and takes at most umcg01.MaxThreads tasks
// per group.
func (w Workload) Validate() error {
	switch {
	case w.Name != "pipes" && w.Name != "futex" && w.Name != "sleep":
		return fmt.Errorf("unknown workload %q (want one of %s)", w.Name, strings.Join(Workloads(), ", "))
	case w.Groups < 1 || w.Groups > 64:
		return fmt.Errorf("groups: %d is out of range 1..64", w.Groups)
	case w.Servers < 1 || w.Workers < 1 || w.Servers+w.Workers > umcg01.MaxThreads:
		return fmt.Errorf("servers %d and workers %d per group: want at least 1 each and at most %d together", w.Servers, w.Workers, umcg01.MaxThreads)
	case w.Blocks < 0 || w.Blocks > 1000:
		return fmt.Errorf("blocks: %d is out of range 0..1000", w.Blocks)
	case w.MaxPause < 0 || w.MaxPause > time.Second:
		return fmt.Errorf("max pause: %v is out of range 0..1s", w.MaxPause)
	}
	return nil
}

// HangError is a run that did not end: a task was still in a call after
// the timeout. The trace Run returns with it is what was recorded.
type HangError struct{ Msg string }

func (e *HangError) Error() string { return "hang: " + e.Msg }

// recorder is one task's trace buffer: preallocated and bounded, written
// by its own thread only, read after the thread is done. It is also the
// Marker of the task's sleeping calls.
type recorder struct {
	name     string
	id       int
	j        *Journal // nil: no journal
	ops      []traces.Op
	overflow bool
	sleptAt  int64
	wokeAt   int64
	// With Options.Gaps: the thread's voluntary context switches between
	// its calls (see gapStart), and the count when the gap began (-1:
	// not in a gap).
	gapOn   bool
	gapMark int64
	sysMark int64
	gaps    int64
	extra   int64
	state   atomic.Int32 // what the task is doing, for hang reports
}

// Task activities, for HangError messages.
const (
	actNone int32 = iota
	actRegister
	actPoll
	actRun
	actBlocked
	actUnblock
	actDone
)

var actNames = [...]string{"starting", "registering", "in poll_worker", "in run_worker", "in its blocking syscall", "in unblock (waiting to be run)", "done"}

func (r *recorder) Sleeping() { r.sleptAt = now() }
func (r *recorder) Woken()    { r.wokeAt = now() }

func (r *recorder) reset() { r.sleptAt, r.wokeAt = 0, 0 }

func (r *recorder) add(op traces.Op) {
	if len(r.ops) == cap(r.ops) {
		r.overflow = true
		return
	}
	op.Thread = r.name
	r.ops = append(r.ops, op)
	if r.j != nil && !r.j.put(r.id, op) {
		r.overflow = true
	}
}

// gapStart and gapEnd bracket the worker's own code between two calls
// (backend calls and its blocking syscall): the voluntary context
// switches of its thread in between are sleeps that no call explains,
// which a UMCG kernel would see as blocks the trace does not have.
func (r *recorder) gapStart() {
	if r.gapOn {
		r.gapMark = nvcsw()
	}
}

func (r *recorder) gapEnd() {
	if r.gapOn && r.gapMark >= 0 {
		n := nvcsw()
		r.gaps += n - r.gapMark
		r.gapMark = -1
		r.sysMark = n
	}
}

// syscallEnd ends the worker's blocking syscall, which made calls
// syscalls: each may sleep once, and a switch more is a sleep of the Go
// runtime as the syscall returned (a locked thread parked in exitsyscall
// for want of a P). Under a UMCG kernel the syscall also holds the
// worker's unblock and its wait for a server (inKernel), which sleep:
// there the excess is not counted.
func (r *recorder) syscallEnd(calls int, inKernel bool) {
	if !r.gapOn {
		return
	}
	extra := nvcsw() - r.sysMark - int64(calls)
	switch {
	case !inKernel && extra > 0:
		r.gaps += extra
	case inKernel && extra > 1:
		// Under v0.1 a blocking syscall that slept switches twice:
		// once as it blocks, once as it waits for a server (queued,
		// or handed to a polling server). More is a sleep the trace
		// does not show: the runtime parking the thread as the
		// syscall returns, or a second block in the kernel.
		r.extra++
	}
}

// nvcsw is the calling thread's count of voluntary context switches.
func nvcsw() int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return int64(ru.Nvcsw) // int32 on 32-bit Linux (GOARCH=386)
}

// enter notes, in the journal, that the task begins call kind at t0
// (leave: it returned); without a journal it does nothing.
func (r *recorder) enter(kind traces.OpKind, args traces.Args, t0 int64) {
	if r.j != nil {
		r.j.enter(r.id, kind, args, t0)
	}
}

func (r *recorder) leave() {
	if r.j != nil {
		r.j.enter(r.id, "", traces.Args{}, 0)
	}
}

// doing records what the task is doing, for hang reports (and, in the
// journal, for the report of a death).
func (r *recorder) doing(a int32) {
	r.state.Store(a)
	if r.j != nil {
		r.j.act(r.id, a)
	}
}

// sleeping records a sleeping call [t0, t1] as its request and followup,
// or as a pending request if it slept and never came back (done false).
func (r *recorder) sleeping(kind traces.OpKind, args traces.Args, t0, t1 int64, done bool, ret traces.Ret, errno int) {
	reqEnd, fuStart := t1, t1
	if r.sleptAt != 0 {
		reqEnd = r.sleptAt
	}
	if r.wokeAt != 0 {
		fuStart = r.wokeAt
	}
	if !done {
		if r.sleptAt != 0 {
			r.add(traces.Op{Kind: kind, Phase: traces.PhaseRequest, Args: args, Call: t0, Return: reqEnd})
		}
		return
	}
	r.add(traces.Op{Kind: kind, Phase: traces.PhaseRequest, Args: args, Call: t0, Return: reqEnd})
	r.add(traces.Op{Kind: kind, Phase: traces.PhaseFollowup, Ret: ret, Errno: errno, Call: fuStart, Return: t1})
}

// run is one run of a workload.
type run struct {
	b      Backend
	w      Workload
	names  []string // task names by id
	gnames []string
	recs   []*recorder
	groups []Group
	pipes  [][2]int // per worker id (pipes workload)
	posts  []uint32 // per worker id: the producer's posts (futex workload)
	pauses [][]time.Duration
	failed atomic.Value // first internal failure (string)
	// inKernel: block and unblock happen inside the blocking syscall.
	inKernel bool
}

func (r *run) fail(format string, a ...any) {
	r.failed.CompareAndSwap(nil, fmt.Sprintf(format, a...))
}

func (r *run) taskName(t Task) traces.Ret {
	if t == nil {
		return traces.Ret{}
	}
	id := t.ID()
	if id < 0 || id >= len(r.names) {
		return traces.NameRet("?")
	}
	return traces.NameRet(r.names[id])
}

// Run runs workload w on backend b and returns the recorded trace. Every
// task is a goroutine locked to its own OS thread, which exits with it.
// Once every worker has unregistered, Run calls b.Shutdown, and the
// servers, woken in (or refused) their last poll_worker, stop: their last
// op in the trace is that poll_worker's request, pending, which the format
// allows. A run that does not end within timeout (0: 5s) is aborted
// (b.Abort) and reported as a *HangError, with the trace recorded so far.
func Run(b Backend, w Workload, timeout time.Duration) (traces.Trace, error) {
	return RunWith(b, w, Options{Timeout: timeout})
}

// Options are Run's settings.
type Options struct {
	// Timeout: a run that does not end within it is a hang (0: 5s).
	Timeout time.Duration
	// Journal, if not nil, receives every op as it is recorded, and the
	// call each task is in (see Journal): what a run in a child process
	// leaves behind when the process dies.
	Journal *Journal
	// Gaps, if not nil, receives the number of voluntary context
	// switches of the worker threads between their calls (from
	// getrusage(RUSAGE_THREAD) around each call and blocking syscall):
	// sleeps of a registered worker that no recorded op explains.
	Gaps *atomic.Int64
	// Extra, with Gaps, receives the number of blocking syscalls of a
	// backend with EventsInKernel during which the worker's thread
	// switched more than twice (see recorder.syscallEnd).
	Extra *atomic.Int64
}

// taskNames returns the task names of workload w (g1.s1 ... g1.w1 ...,
// by id), its group names, and the most ops each task can record: a
// server 1 + 4 per run of a worker of its group + 2, a worker 3 + 2 per
// blocking call.
func taskNames(w Workload) (names, gnames []string, caps []int) {
	per := w.Servers + w.Workers
	runs := w.Workers * (w.Blocks + 1) // runs of a worker per group
	for g := 0; g < w.Groups; g++ {
		gnames = append(gnames, fmt.Sprintf("g%d", g+1))
		for i := 0; i < per; i++ {
			name := fmt.Sprintf("g%d.s%d", g+1, i+1)
			n := 1 + 4*runs + 2 // register, poll+run per run, the last poll
			if i >= w.Servers {
				name = fmt.Sprintf("g%d.w%d", g+1, i-w.Servers+1)
				n = 2 + 2*w.Blocks + 1
			}
			names = append(names, name)
			caps = append(caps, n)
		}
	}
	return names, gnames, caps
}

// RunWith is Run with options.
func RunWith(b Backend, w Workload, opt Options) (traces.Trace, error) {
	timeout := opt.Timeout
	if err := w.Validate(); err != nil {
		return traces.Trace{}, err
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if w.MaxPause == 0 {
		w.MaxPause = 50 * time.Microsecond
	}
	r := &run{b: b, w: w}
	if k, ok := b.(interface{ EventsInKernel() bool }); ok {
		r.inKernel = k.EventsInKernel()
	}
	per := w.Servers + w.Workers
	names, gnames, caps := taskNames(w)
	r.names, r.gnames = names, gnames
	for id, name := range names {
		r.recs = append(r.recs, &recorder{name: name, id: id, j: opt.Journal, gapOn: opt.Gaps != nil, gapMark: -1, ops: make([]traces.Op, 0, caps[id])})
	}
	rng := rand.New(rand.NewPCG(w.Seed, 0x756d6367))
	pause := func() time.Duration { return time.Duration(rng.Int64N(int64(w.MaxPause) + 1)) }
	r.pauses = make([][]time.Duration, len(r.names))
	for id := range r.names {
		for k := 0; k < w.Blocks; k++ {
			r.pauses[id] = append(r.pauses[id], pause())
		}
	}
	for g := 0; g < w.Groups; g++ {
		grp, err := b.CreateGroup()
		if err != nil {
			for _, gr := range r.groups {
				b.DestroyGroup(gr)
			}
			return traces.Trace{}, fmt.Errorf("%s: create_group: %w", b.Name(), err)
		}
		r.groups = append(r.groups, grp)
	}
	defer func() {
		for _, gr := range r.groups {
			b.DestroyGroup(gr)
		}
	}()
	// The producer's schedule: K bytes per worker pipe, in a seeded order.
	var schedule []int
	var delays []time.Duration
	if w.Name == "pipes" || w.Name == "futex" {
		r.pipes = make([][2]int, len(r.names))
		r.posts = make([]uint32, len(r.names))
		for id := range r.names {
			if r.isServer(id) {
				continue
			}
			for k := 0; k < w.Blocks; k++ {
				schedule = append(schedule, id)
			}
			if w.Name == "futex" {
				continue
			}
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
				r.closePipes()
				return traces.Trace{}, fmt.Errorf("pipe2: %w", err)
			}
			r.pipes[id] = p
		}
		rng.Shuffle(len(schedule), func(i, j int) { schedule[i], schedule[j] = schedule[j], schedule[i] })
		for range schedule {
			delays = append(delays, pause())
		}
	}
	defer r.closePipes()

	// Each task's goroutine locks its thread and says so, then waits at
	// the gate: every task has its own thread before the first call, and
	// all of them start together.
	var workers, servers, producer sync.WaitGroup
	started := make(chan struct{}, len(r.names))
	gate := make(chan struct{})
	var hang *HangError
	for id := range r.names {
		g := id / per
		if r.isServer(id) {
			servers.Add(1)
			go func() { r.server(id, g, started, gate); r.recs[id].doing(actDone); servers.Done() }()
		} else {
			workers.Add(1)
			go func() { r.worker(id, g, started, gate); r.recs[id].doing(actDone); workers.Done() }()
		}
		select {
		case <-started:
		case <-time.After(timeout):
			hang = &HangError{Msg: "the goroutine of " + r.names[id] + " did not start within " + timeout.String()}
		}
		if hang != nil {
			b.Abort()
			break
		}
	}
	close(gate)
	stop := make(chan struct{})
	if w.Name == "pipes" || w.Name == "futex" {
		producer.Add(1)
		go func() { defer producer.Done(); r.produce(schedule, delays, stop) }()
	}
	deadline := time.Now().Add(timeout)
	switch {
	case hang != nil:
	case !waitUntil(&workers, deadline):
		hang = &HangError{Msg: "workers still running after " + timeout.String() + ": " + r.stuck(false)}
	default:
		b.Shutdown()
		if !waitUntil(&servers, time.Now().Add(timeout)) {
			hang = &HangError{Msg: "servers did not stop after every worker unregistered: " + r.stuck(true)}
		}
	}
	if hang != nil {
		b.Abort()
		close(stop)
		// Workers blocked in read(2) on a pipe get EOF.
		for _, p := range r.pipes {
			if p[1] > 0 {
				unix.Write(p[1], make([]byte, w.Blocks))
			}
		}
		// Workers in FUTEX_WAIT see their word go past every wait.
		for id := range r.posts {
			atomic.AddUint32(&r.posts[id], uint32(w.Blocks))
			futexWake(&r.posts[id], 1)
		}
		if !waitUntil(&workers, time.Now().Add(timeout)) || !waitUntil(&servers, time.Now().Add(timeout)) {
			// Their buffers are still theirs: return the header alone.
			return traces.Trace{Header: r.header()}, fmt.Errorf("%w; and tasks did not end after Abort: %s", hang, r.stuck(false))
		}
	} else {
		close(stop)
	}
	producer.Wait()
	if opt.Gaps != nil {
		for _, rec := range r.recs {
			opt.Gaps.Add(rec.gaps)
			if opt.Extra != nil {
				opt.Extra.Add(rec.extra)
			}
		}
	}
	t := r.trace()
	if hang != nil {
		return t, hang
	}
	for _, rec := range r.recs {
		if rec.overflow {
			return t, fmt.Errorf("%s: trace buffer of %s overflowed", b.Name(), rec.name)
		}
	}
	if f := r.failed.Load(); f != nil {
		return t, errors.New(f.(string))
	}
	return t, nil
}

func (r *run) isServer(id int) bool { return id%(r.w.Servers+r.w.Workers) < r.w.Servers }

func (r *run) closePipes() {
	for i, p := range r.pipes {
		if p[0] > 0 {
			unix.Close(p[0])
			unix.Close(p[1])
		}
		r.pipes[i] = [2]int{}
	}
}

// stuck names the tasks that are not done.
func (r *run) stuck(serversOnly bool) string {
	var parts []string
	for id, rec := range r.recs {
		if serversOnly && !r.isServer(id) {
			continue
		}
		if a := rec.state.Load(); a != actDone {
			parts = append(parts, rec.name+" "+actNames[a])
		}
	}
	return strings.Join(parts, ", ")
}

func waitUntil(wg *sync.WaitGroup, deadline time.Time) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(time.Until(deadline)):
		return false
	}
}

func (r *run) header() traces.Header {
	return traces.Header{Version: traces.Version, Source: r.b.Name(), Clock: traces.ClockNS,
		Tasks: append([]string(nil), r.names...), Groups: append([]string(nil), r.gnames...)}
}

// trace assembles the per-task buffers, ordered by call time (each task's
// own ops keep their order).
func (r *run) trace() traces.Trace {
	t := traces.Trace{Header: r.header()}
	for _, rec := range r.recs {
		t.Ops = append(t.Ops, rec.ops...)
	}
	sort.SliceStable(t.Ops, func(i, j int) bool { return t.Ops[i].Call < t.Ops[j].Call })
	return t
}

// begin puts a task's goroutine on an OS thread of its own (never
// unlocked: the thread exits with the goroutine), says it started, waits
// for every task to be ready, and returns the task's recorder.
func (r *run) begin(id int, started chan<- struct{}, gate <-chan struct{}) *recorder {
	runtime.LockOSThread()
	rec := r.recs[id]
	if rec.j != nil {
		rec.j.started(id, unix.Gettid(), goid())
	}
	started <- struct{}{}
	<-gate
	return rec
}

// goid is the calling goroutine's id, as Go's tracebacks print it: how
// the parent of a run in a child process names the task whose goroutine
// died.
func goid() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	if len(f) < 2 || f[0] != "goroutine" {
		return -1
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return -1
	}
	return id
}

// server is a server's program: register, then poll -> run until Shutdown.
func (r *run) server(id, g int, started chan<- struct{}, gate <-chan struct{}) {
	rec := r.begin(id, started, gate)
	rec.doing(actRegister)
	gname := r.gnames[g]
	t0 := now()
	rec.enter("register_server", traces.Args{Group: gname}, t0)
	s, err := r.b.RegisterServer(r.groups[g], id)
	t1 := now()
	rec.leave()
	if err != nil {
		e, _ := errnoOf(err)
		rec.add(traces.Op{Kind: "register_server", Args: traces.Args{Group: gname}, Errno: e, Call: t0, Return: t1})
		r.fail("%s: register_server: %v", rec.name, err)
		return
	}
	rec.add(traces.Op{Kind: "register_server", Args: traces.Args{Group: gname}, Ret: traces.NameRet(rec.name), Call: t0, Return: t1})
	defer r.b.Unregister(s)
	for {
		rec.doing(actPoll)
		rec.reset()
		t0 = now()
		rec.enter("poll_worker", traces.Args{}, t0)
		w, err := r.b.PollWorker(s, rec)
		t1 = now()
		rec.leave()
		if err == ErrShutdown || err == ErrAborted {
			rec.sleeping("poll_worker", traces.Args{}, t0, t1, false, traces.Ret{}, 0)
			return
		}
		e, ok := errnoOf(err)
		rec.sleeping("poll_worker", traces.Args{}, t0, t1, true, r.taskName(w), e)
		if !ok || err != nil || w == nil {
			r.fail("%s: poll_worker: %v", rec.name, err)
			return
		}
		rec.doing(actRun)
		rec.reset()
		t0 = now()
		rec.enter("run_worker", traces.Args{Worker: r.names[w.ID()]}, t0)
		out, err := r.b.RunWorker(s, w, rec)
		t1 = now()
		rec.leave()
		if err == ErrAborted {
			rec.sleeping("run_worker", traces.Args{Worker: r.names[w.ID()]}, t0, t1, false, traces.Ret{}, 0)
			return
		}
		e, ok = errnoOf(err)
		rec.sleeping("run_worker", traces.Args{Worker: r.names[w.ID()]}, t0, t1, true, r.taskName(out), e)
		if !ok {
			r.fail("%s: run_worker: %v", rec.name, err)
			return
		}
	}
}

// worker is a worker's program: register, Blocks blocking syscalls,
// unregister.
func (r *run) worker(id, g int, started chan<- struct{}, gate <-chan struct{}) {
	rec := r.begin(id, started, gate)
	rec.doing(actRegister)
	rec.reset()
	t0 := now()
	rec.enter("register_worker", traces.Args{Group: r.gnames[g]}, t0)
	t, err := r.b.RegisterWorker(r.groups[g], id, rec)
	rec.gapStart()
	t1 := now()
	rec.leave()
	if err == ErrAborted {
		rec.sleeping("register_worker", traces.Args{Group: r.gnames[g]}, t0, t1, false, traces.Ret{}, 0)
		return
	}
	e, _ := errnoOf(err)
	var tr traces.Ret
	if err == nil {
		tr = traces.NameRet(rec.name)
	}
	rec.sleeping("register_worker", traces.Args{Group: r.gnames[g]}, t0, t1, true, tr, e)
	if err != nil {
		r.fail("%s: register_worker: %v", rec.name, err)
		return
	}
	var buf [1]byte
	for k := 0; k < r.w.Blocks; k++ {
		t0 = now()
		rec.gapEnd()
		err = r.b.Block(t)
		rec.gapStart()
		t1 = now()
		if err != nil {
			r.fail("%s: block: %v", rec.name, err)
			return
		}
		block := traces.Op{Kind: "block", Call: t0, Return: t1}
		if !r.inKernel {
			rec.add(block)
		}
		rec.doing(actBlocked)
		before := now()
		rec.gapEnd()
		var sw0 int64
		if r.inKernel {
			sw0 = nvcsw()
		}
		calls := 0 // syscalls made, each of which may sleep once
		switch r.w.Name {
		case "futex":
			for {
				v := atomic.LoadUint32(&r.posts[id])
				if v > uint32(k) {
					break
				}
				calls++
				futexWait(&r.posts[id], v)
			}
		case "pipes":
			for {
				calls++
				_, err := unix.Read(r.pipes[id][0], buf[:])
				if err != unix.EINTR {
					break
				}
			}
		default:
			ts := unix.NsecToTimespec(int64(r.pauses[id][k]))
			calls++
			for unix.Nanosleep(&ts, &ts) == unix.EINTR {
				calls++
			}
		}
		// A UMCG kernel blocks the worker only if its syscall sleeps (a
		// read whose byte is already in the pipe does not): with the
		// events in the kernel, they are recorded only when the thread
		// made a voluntary context switch in the syscall.
		slept := true
		if r.inKernel {
			slept = nvcsw() > sw0
			if slept {
				rec.add(block)
			}
		}
		rec.syscallEnd(calls, r.inKernel)
		rec.gapStart()
		rec.doing(actUnblock)
		rec.reset()
		t0 = now()
		rec.gapEnd()
		err = r.b.Unblock(t, rec)
		rec.gapStart()
		t1 = now()
		if r.inKernel {
			t0 = before // the kernel unblocked the worker inside the syscall
		}
		end := t1
		if rec.sleptAt != 0 {
			end = rec.sleptAt
		}
		if err == ErrAborted {
			if slept {
				rec.add(traces.Op{Kind: "unblock", Call: t0, Return: end})
			}
			return
		}
		if err != nil {
			r.fail("%s: unblock: %v", rec.name, err)
			return
		}
		if slept {
			rec.add(traces.Op{Kind: "unblock", Call: t0, Return: end})
		}
	}
	t0 = now()
	rec.enter("unregister_task", traces.Args{}, t0)
	rec.gapEnd()
	err = r.b.Unregister(t)
	t1 = now()
	rec.leave()
	if err != nil {
		e, _ := errnoOf(err)
		rec.add(traces.Op{Kind: "unregister_task", Ret: traces.IntRet(-1), Errno: e, Call: t0, Return: t1})
		return
	}
	rec.add(traces.Op{Kind: "unregister_task", Ret: traces.IntRet(0), Call: t0, Return: t1})
}

// produce writes one byte to each worker's pipe per entry of schedule,
// pausing before each; it stops early when stop is closed.
func (r *run) produce(schedule []int, delays []time.Duration, stop chan struct{}) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b := []byte{'x'}
	for i, id := range schedule {
		select {
		case <-stop:
			return
		default:
		}
		if d := delays[i]; d > 0 {
			ts := unix.NsecToTimespec(int64(d))
			for unix.Nanosleep(&ts, &ts) == unix.EINTR {
			}
		}
		if r.w.Name == "futex" {
			atomic.AddUint32(&r.posts[id], 1)
			futexWake(&r.posts[id], 1)
			continue
		}
		unix.Write(r.pipes[id][1], b)
	}
}
