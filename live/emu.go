package live

import (
	"fmt"
	"sort"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// UMCG task states (v0.1 uapi values).
const (
	stateNone       = 0
	statePolling    = 1
	stateServing    = 2
	stateProcessing = 3
	stateRunnable   = 4
	stateRunning    = 5
	stateBlocked    = 6
	stateUnblocked  = 7
)

// Why a parked task was woken: the value stored in its futex word.
const (
	wakeNone     = 0
	wakeNormal   = 1 // handed a worker, its worker blocked/unregistered, or run
	wakeShutdown = 2
	wakeAbort    = 3
)

// Reasons a server's run_worker ends.
const (
	reasonNone = iota
	reasonBlocked
	reasonUnregistered
)

// Bug is a deliberate defect of the emu backend; "" is the correct one.
type Bug string

// The seeded bugs. Each makes lincheck.Check reject the trace, or the run
// hang (Run reports a *HangError), within a few runs.
const (
	BugNone Bug = ""
	// BugLostWakeup: an unblocked worker is queued even when a server
	// polls, and the polling server is never woken.
	BugLostWakeup Bug = "lost-wakeup"
	// BugLIFOQueue: poll_worker takes the newest UNBLOCKED worker.
	BugLIFOQueue Bug = "lifo-queue"
	// BugDoubleRun: poll_worker hands out the head worker but leaves it
	// queued, so that a second server runs it too.
	BugDoubleRun Bug = "double-run"
	// BugBlockNoWake: a worker that blocks does not wake its server,
	// whose run_worker never returns.
	BugBlockNoWake Bug = "block-no-wake"
	// BugWrongErrno: run_worker reports a worker that unregistered with
	// errno ESRCH instead of 0.
	BugWrongErrno Bug = "wrong-errno"
	// BugUnblockRuns: a worker whose blocking syscall completes goes on
	// running without a server.
	BugUnblockRuns Bug = "unblock-runs"
)

// Bugs lists the seeded bugs, sorted.
func Bugs() []Bug {
	bs := []Bug{BugLostWakeup, BugLIFOQueue, BugDoubleRun, BugBlockNoWake, BugWrongErrno, BugUnblockRuns}
	sort.Slice(bs, func(i, j int) bool { return bs[i] < bs[j] })
	return bs
}

// ParseBug returns the bug named s ("" is BugNone).
func ParseBug(s string) (Bug, error) {
	if s == "" {
		return BugNone, nil
	}
	for _, b := range Bugs() {
		if string(b) == s {
			return b, nil
		}
	}
	return "", fmt.Errorf("unknown bug %q (want one of %v)", s, Bugs())
}

// Emu is the emu backend: UMCG's server/worker semantics, as the model's
// fixed variant has them, in user space on stock Linux (docs/live.md).
//
// Every task is the OS thread that registered it. Each task has a UMCG
// state word and a 32-bit futex word; a task sleeps with FUTEX_WAIT on its
// futex word while it is 0, and a waker stores the reason of the wakeup
// there and calls FUTEX_WAKE, so a wakeup that comes before the sleep is
// not lost. The protocol gives each sleep exactly one waker. Each group's
// kernel state (its waiters list, the server<->worker links) is guarded by
// a futex mutex held for a few loads and stores, never across a sleep.
type Emu struct {
	bug      Bug
	aborted  atomic.Bool
	shutdown atomic.Bool

	mu     futexLock // guards groups and tasks
	groups []*emuGroup
	tasks  []*emuTask
}

type emuGroup struct {
	id      int
	lock    futexLock
	exists  bool
	nr      int
	waiters []*emuTask // UNBLOCKED workers or polling servers, never both; FIFO
}

type emuTask struct {
	id     int
	tid    int
	server bool
	g      *emuGroup
	state  uint32 // UMCG state word; written under g.lock, read atomically
	wake   uint32 // futex word: why the task was woken, 0 while it sleeps
	// Under g.lock:
	peer   *emuTask // the server<->worker link
	out    *emuTask // the worker poll_worker or run_worker returns
	reason int      // why run_worker ended
}

func (t *emuTask) ID() int { return t.id }

// TID is the Linux thread id of the task's thread.
func (t *emuTask) TID() int { return t.tid }

// NewEmu returns an emu backend with the given seeded bug (BugNone for the
// correct one).
func NewEmu(bug Bug) *Emu { return &Emu{bug: bug} }

// Name is "emu", or "emu/BUG" with a seeded bug.
func (e *Emu) Name() string {
	if e.bug != BugNone {
		return "emu/" + string(e.bug)
	}
	return "emu"
}

// CreateGroup creates a group.
func (e *Emu) CreateGroup() (Group, error) {
	e.mu.lock()
	defer e.mu.unlock()
	g := &emuGroup{id: len(e.groups), exists: true, waiters: make([]*emuTask, 0, 32)}
	e.groups = append(e.groups, g)
	return g, nil
}

// DestroyGroup destroys g; EAGAIN while tasks remain (the header's
// promise), ESRCH for a group that does not exist.
func (e *Emu) DestroyGroup(gr Group) error {
	g, ok := gr.(*emuGroup)
	if !ok || g == nil {
		return unix.ESRCH
	}
	g.lock.lock()
	defer g.lock.unlock()
	if !g.exists {
		return unix.ESRCH
	}
	if g.nr > 0 {
		return unix.EAGAIN
	}
	g.exists = false
	return nil
}

func (e *Emu) newTask(gr Group, id int, server bool) (*emuTask, *emuGroup, error) {
	g, ok := gr.(*emuGroup)
	if !ok || g == nil {
		return nil, nil, unix.EINVAL
	}
	t := &emuTask{id: id, tid: unix.Gettid(), server: server, g: g}
	e.mu.lock()
	e.tasks = append(e.tasks, t)
	e.mu.unlock()
	return t, g, nil
}

// RegisterServer registers the calling thread as a server: PROCESSING.
func (e *Emu) RegisterServer(gr Group, id int) (Task, error) {
	t, g, err := e.newTask(gr, id, true)
	if err != nil {
		return nil, err
	}
	g.lock.lock()
	defer g.lock.unlock()
	if !g.exists {
		return nil, unix.EINVAL
	}
	g.nr++
	atomic.StoreUint32(&t.state, stateProcessing)
	return t, nil
}

// RegisterWorker registers the calling thread as a worker: UNBLOCKED and
// queued or handed to a poller; it sleeps until a server runs it.
func (e *Emu) RegisterWorker(gr Group, id int, m Marker) (Task, error) {
	t, g, err := e.newTask(gr, id, false)
	if err != nil {
		return nil, err
	}
	g.lock.lock()
	if !g.exists {
		g.lock.unlock()
		return nil, unix.EINVAL
	}
	g.nr++
	srv := e.unblocked(g, t)
	g.lock.unlock()
	if srv != nil {
		wakeTask(srv, wakeNormal)
	}
	m.Sleeping()
	if e.park(t) == wakeAbort {
		return nil, ErrAborted
	}
	m.Woken()
	return t, nil
}

// unblocked is process_unblocked_worker, under g.lock: hand the UNBLOCKED
// worker w to the longest-waiting polling server as RUNNABLE (returning
// the server, to be woken once the lock is released) or queue it at the
// tail.
func (e *Emu) unblocked(g *emuGroup, w *emuTask) *emuTask {
	if len(g.waiters) > 0 && g.waiters[0].server && e.bug != BugLostWakeup {
		srv := g.waiters[0]
		g.waiters = removeAt(g.waiters, 0)
		atomic.StoreUint32(&w.state, stateRunnable)
		srv.peer, w.peer = w, srv
		srv.out = w
		return srv
	}
	atomic.StoreUint32(&w.state, stateUnblocked)
	g.waiters = append(g.waiters, w)
	return nil
}

func removeAt(l []*emuTask, i int) []*emuTask {
	copy(l[i:], l[i+1:])
	l[len(l)-1] = nil
	return l[:len(l)-1]
}

func remove(l []*emuTask, t *emuTask) []*emuTask {
	for i, x := range l {
		if x == t {
			return removeAt(l, i)
		}
	}
	return l
}

func unpair(t *emuTask) {
	if p := t.peer; p != nil {
		p.peer = nil
		t.peer = nil
	}
}

// park sleeps until the task's futex word says why it was woken.
func (e *Emu) park(t *emuTask) uint32 {
	for {
		if v := atomic.SwapUint32(&t.wake, wakeNone); v != wakeNone {
			return v
		}
		if e.aborted.Load() {
			return wakeAbort
		}
		futexWait(&t.wake, wakeNone)
	}
}

// wakeTask wakes t with reason why.
func wakeTask(t *emuTask, why uint32) {
	atomic.StoreUint32(&t.wake, why)
	futexWake(&t.wake, 1)
}

// asTask returns t as a Task, and a nil *emuTask as a nil Task.
func asTask(t *emuTask) Task {
	if t == nil {
		return nil
	}
	return t
}

func task(x Task) *emuTask {
	t, _ := x.(*emuTask)
	return t
}

// PollWorker is poll_worker: the library's CAS PROCESSING->POLLING, the
// kernel's handover of the queue's head (or a sleep on the waiters list),
// and the CAS POLLING->PROCESSING.
func (e *Emu) PollWorker(self Task, m Marker) (Task, error) {
	s := task(self)
	if s == nil || !s.server {
		return nil, unix.EINVAL
	}
	g := s.g
	g.lock.lock()
	unpair(s)
	if len(g.waiters) > 0 && !g.waiters[0].server {
		i := 0
		if e.bug == BugLIFOQueue {
			i = len(g.waiters) - 1
		}
		w := g.waiters[i]
		if e.bug != BugDoubleRun {
			g.waiters = removeAt(g.waiters, i)
		}
		atomic.StoreUint32(&w.state, stateRunnable)
		unpair(w)
		s.peer, w.peer = w, s
		g.lock.unlock()
		return w, nil
	}
	if e.shutdown.Load() {
		g.lock.unlock()
		return nil, ErrShutdown
	}
	atomic.StoreUint32(&s.state, statePolling)
	s.out = nil
	g.waiters = append(g.waiters, s)
	g.lock.unlock()
	m.Sleeping()
	switch e.park(s) {
	case wakeShutdown:
		return nil, ErrShutdown
	case wakeAbort:
		return nil, ErrAborted
	}
	m.Woken()
	g.lock.lock()
	w := s.out
	atomic.StoreUint32(&s.state, stateProcessing)
	g.lock.unlock()
	return asTask(w), nil
}

// RunWorker is run_worker: CAS w RUNNABLE->RUNNING, self
// PROCESSING->SERVING, wake w and sleep until it blocks or unregisters,
// then CAS SERVING->PROCESSING.
func (e *Emu) RunWorker(self, worker Task, m Marker) (Task, error) {
	s, w := task(self), task(worker)
	if s == nil || !s.server {
		return nil, unix.EINVAL
	}
	if w == nil {
		return nil, unix.ESRCH
	}
	g := s.g
	g.lock.lock()
	// The library's CAS RUNNABLE->RUNNING: a worker that unregistered
	// gives UMCG_NONE with errno 0, any other state EINVAL (the fixed
	// library's run-exit-on-state and run-none-errno).
	switch st := atomic.LoadUint32(&w.state); {
	case st == stateNone:
		g.lock.unlock()
		return nil, nil
	case st != stateRunnable:
		g.lock.unlock()
		return nil, unix.EINVAL
	}
	// The kernel: a worker of the group, not linked to another server.
	if w.server || w.g != g || (w.peer != nil && w.peer != s) {
		g.lock.unlock()
		return nil, unix.EINVAL
	}
	atomic.StoreUint32(&w.state, stateRunning)
	atomic.StoreUint32(&s.state, stateServing)
	if s.peer != w {
		unpair(s)
		unpair(w)
		s.peer, w.peer = w, s
	}
	s.out, s.reason = nil, reasonNone
	g.lock.unlock()
	wakeTask(w, wakeNormal)
	m.Sleeping()
	if e.park(s) == wakeAbort {
		return nil, ErrAborted
	}
	m.Woken()
	g.lock.lock()
	out, reason := s.out, s.reason
	atomic.StoreUint32(&s.state, stateProcessing)
	g.lock.unlock()
	if reason == reasonUnregistered && e.bug == BugWrongErrno {
		return nil, unix.ESRCH
	}
	return asTask(out), nil
}

// Unregister unregisters the task: a served worker wakes its server,
// whose run_worker returns UMCG_NONE with errno 0.
func (e *Emu) Unregister(self Task) error {
	t := task(self)
	if t == nil {
		return unix.EINVAL
	}
	g := t.g
	g.lock.lock()
	if atomic.LoadUint32(&t.state) == stateNone {
		g.lock.unlock()
		return unix.EINVAL
	}
	var srv *emuTask
	if p := t.peer; p != nil {
		unpair(t)
		if !t.server && atomic.LoadUint32(&p.state) == stateServing {
			p.out, p.reason = nil, reasonUnregistered
			srv = p
		}
	}
	g.waiters = remove(g.waiters, t)
	g.nr--
	atomic.StoreUint32(&t.state, stateNone)
	g.lock.unlock()
	if srv != nil {
		wakeTask(srv, wakeNormal)
	}
	return nil
}

// Block is the kernel's hook as a RUNNING worker blocks: BLOCKED, the link
// to its server cut (the fixed kernel's correction unblock-while-peer),
// and the server woken with the worker as run_worker's result.
func (e *Emu) Block(self Task) error {
	w := task(self)
	if w == nil || w.server {
		return unix.EINVAL
	}
	g := w.g
	g.lock.lock()
	if atomic.LoadUint32(&w.state) != stateRunning {
		g.lock.unlock()
		return unix.EINVAL
	}
	atomic.StoreUint32(&w.state, stateBlocked)
	srv := w.peer
	if srv != nil {
		srv.out, srv.reason = w, reasonBlocked
		unpair(w)
	}
	g.lock.unlock()
	if srv != nil && e.bug != BugBlockNoWake {
		wakeTask(srv, wakeNormal)
	}
	return nil
}

// Unblock is the kernel's hook as the worker's blocking syscall
// completes: UNBLOCKED, queued or handed to a polling server, and asleep
// until a server runs it.
func (e *Emu) Unblock(self Task, m Marker) error {
	w := task(self)
	if w == nil || w.server {
		return unix.EINVAL
	}
	g := w.g
	g.lock.lock()
	if e.bug == BugUnblockRuns {
		atomic.StoreUint32(&w.state, stateRunning)
		g.lock.unlock()
		return nil
	}
	srv := e.unblocked(g, w)
	g.lock.unlock()
	if srv != nil {
		wakeTask(srv, wakeNormal)
	}
	m.Sleeping()
	if e.park(w) == wakeAbort {
		return ErrAborted
	}
	m.Woken()
	return nil
}

// Shutdown wakes every polling server with ErrShutdown. The flag is set
// before each group's lock is taken, so a server that queues itself after
// the scan of its group sees it under that lock and does not sleep.
func (e *Emu) Shutdown() {
	e.shutdown.Store(true)
	e.mu.lock()
	groups := append([]*emuGroup(nil), e.groups...)
	e.mu.unlock()
	for _, g := range groups {
		g.lock.lock()
		var srvs []*emuTask
		for _, t := range g.waiters {
			if t.server {
				srvs = append(srvs, t)
			}
		}
		for _, t := range srvs {
			g.waiters = remove(g.waiters, t)
		}
		g.lock.unlock()
		for _, s := range srvs {
			wakeTask(s, wakeShutdown)
		}
	}
}

// Abort wakes every task; every sleep then returns ErrAborted.
func (e *Emu) Abort() {
	e.aborted.Store(true)
	e.mu.lock()
	tasks := append([]*emuTask(nil), e.tasks...)
	e.mu.unlock()
	for _, t := range tasks {
		wakeTask(t, wakeAbort)
	}
}
