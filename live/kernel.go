package live

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// KernelSyscalls are the syscall numbers of the UMCG calls. The RFC's
// were never merged, so they are configurable.
type KernelSyscalls struct {
	APIVersion, RegisterTask, UnregisterTask, Wait, Wake, Swap,
	CreateGroup, DestroyGroup, PollWorker, RunWorker, PreemptWorker uintptr
}

// V01Syscalls are the x86_64 numbers of RFC v0.1 (447..457). On Linux
// 5.14 and later these numbers belong to other syscalls (447 is
// memfd_secret); NewKernel's probe tells the two apart. A v0.1 kernel
// ported to a newer Linux numbers them from elsewhere (451..461 are free
// on 6.1): SyscallsFrom(base), `umcgcheck live --syscall-base N`.
func V01Syscalls() KernelSyscalls { return SyscallsFrom(447) }

// SyscallsFrom numbers the eleven calls consecutively from base, in the
// order of v0.1.
func SyscallsFrom(base uintptr) KernelSyscalls {
	return KernelSyscalls{base, base + 1, base + 2, base + 3, base + 4, base + 5,
		base + 6, base + 7, base + 8, base + 9, base + 10}
}

// v0.1 uapi.
const (
	umcgAPIVersion   = 1
	umcgRegisterCore = 0
	umcgRegisterWrk  = 1
	umcgRegisterSrv  = 2
)

// ErrNoUMCG is the error NewKernel returns when the kernel has no UMCG.
var ErrNoUMCG = errors.New("this kernel has no UMCG")

// Kernel is the kernel backend: it issues the UMCG v0.1 syscalls by
// number, and does what libumcg v0.1 does around them (the kernel reads
// and writes the task state words that the library sets): poll_worker
// moves the server PROCESSING -> POLLING before the syscall and back
// after it; run_worker moves the worker RUNNABLE -> RUNNING and the server
// PROCESSING -> SERVING before the syscall, retries the syscall on
// EAGAIN as libumcg does, and moves the server back to PROCESSING after
// it. A state word that is not what the library expects, where libumcg
// prints a message and calls exit(1), is an error (*LibraryExit) here.
//
// The kernel itself blocks and unblocks workers inside their syscalls,
// so Block and Unblock do nothing, and Run records the block event just
// before the blocking syscall and the unblock event over the syscall
// (EventsInKernel).
//
// It follows the v0.1 uapi (struct umcg_task { u32 state; }, 32-byte
// aligned). Shutdown and Abort interrupt sleeping servers with a signal
// (v0.1 has no call to wake them): SIGURG, which the Go runtime ignores
// when asynchronous preemption is off and which makes a sleeping UMCG
// syscall return EINTR.
type Kernel struct {
	nr    KernelSyscalls
	mu    sync.Mutex
	tasks map[uintptr]*kernelTask // by the address of the umcg_task
	// shutdown is 1 after Shutdown, 2 after Abort.
	shutdown atomic.Int32
	kick     sync.Once
}

type kernelTask struct {
	id     int
	tid    int
	server bool
	mem    []uint64 // holds the 32-byte aligned struct umcg_task
	ut     uintptr  // its address
	word   int      // the index in mem of its first word
	done   atomic.Bool
}

func (t *kernelTask) ID() int { return t.id }

// state is the task's UMCG state word.
func (t *kernelTask) state() *uint32 { return (*uint32)(unsafe.Pointer(&t.mem[t.word])) }

type kernelGroup uint32

// LibraryExit is where libumcg v0.1 would print a message and call
// exit(1): a state word that is not what the library expects.
type LibraryExit struct{ Msg string }

func (e *LibraryExit) Error() string { return "libumcg would exit(1): " + e.Msg }

// NewKernel probes the kernel with umcg_api_version(1, 0) and returns the
// backend, or an error (wrapping ErrNoUMCG, one line) when the probe does
// not return 0.
func NewKernel(nr KernelSyscalls) (*Kernel, error) {
	r, _, e := unix.Syscall(nr.APIVersion, umcgAPIVersion, 0, 0)
	if e != 0 {
		if e == unix.ENOSYS {
			return nil, fmt.Errorf("kernel: umcg_api_version (syscall %d) failed with ENOSYS: %w (the UMCG RFC was never merged; --syscall-base gives another kernel's numbers)", nr.APIVersion, ErrNoUMCG)
		}
		other := "another call"
		if nr.APIVersion == 447 {
			other = "another call here: on Linux 5.14+ x86_64, 447..457 are memfd_secret..statmount"
		}
		return nil, fmt.Errorf("kernel: umcg_api_version (syscall %d) failed with %s (%s): %w (syscall %d is %s; the UMCG RFC was never merged)",
			nr.APIVersion, unix.ErrnoName(e), e.Error(), ErrNoUMCG, nr.APIVersion, other)
	}
	if r != 0 {
		return nil, fmt.Errorf("kernel: umcg_api_version (syscall %d) returned %d, want 0: %w", nr.APIVersion, r, ErrNoUMCG)
	}
	return &Kernel{nr: nr, tasks: map[uintptr]*kernelTask{}}, nil
}

// Name is "kernel".
func (k *Kernel) Name() string { return "kernel" }

// EventsInKernel reports that block and unblock happen inside the
// worker's blocking syscall.
func (k *Kernel) EventsInKernel() bool { return true }

func sysErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// CreateGroup is sys_umcg_create_group(api_version, flags).
func (k *Kernel) CreateGroup() (Group, error) {
	r, _, e := unix.Syscall(k.nr.CreateGroup, umcgAPIVersion, 0, 0)
	if e != 0 {
		return nil, e
	}
	return kernelGroup(r), nil
}

// DestroyGroup is sys_umcg_destroy_group(group_id).
func (k *Kernel) DestroyGroup(g Group) error {
	gid, _ := g.(kernelGroup)
	_, _, e := unix.Syscall(k.nr.DestroyGroup, uintptr(gid), 0, 0)
	return sysErr(e)
}

func (k *Kernel) register(g Group, id int, flag uintptr) (*kernelTask, error) {
	gid, _ := g.(kernelGroup)
	t := &kernelTask{id: id, tid: unix.Gettid(), server: flag == umcgRegisterSrv, mem: make([]uint64, 8)}
	p := uintptr(unsafe.Pointer(&t.mem[0]))
	t.ut = (p + 31) &^ 31
	t.word = int(t.ut-p) / 8
	k.mu.Lock()
	k.tasks[t.ut] = t
	k.mu.Unlock()
	_, _, e := unix.Syscall6(k.nr.RegisterTask, umcgAPIVersion, flag, uintptr(gid), t.ut, 0, 0)
	if e != 0 {
		k.mu.Lock()
		delete(k.tasks, t.ut)
		k.mu.Unlock()
		t.done.Store(true)
		return nil, e
	}
	return t, nil
}

// RegisterServer is sys_umcg_register_task(1, UMCG_REGISTER_SERVER, g, ut).
func (k *Kernel) RegisterServer(g Group, id int) (Task, error) {
	t, err := k.register(g, id, umcgRegisterSrv)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// RegisterWorker is sys_umcg_register_task(1, UMCG_REGISTER_WORKER, g, ut);
// it returns once a server ran the worker.
func (k *Kernel) RegisterWorker(g Group, id int, m Marker) (Task, error) {
	t, err := k.register(g, id, umcgRegisterWrk)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (k *Kernel) byAddr(ut uintptr) Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	if t, ok := k.tasks[ut]; ok {
		return t
	}
	return nil
}

func cas(w *uint32, from, to uint32, what string) error {
	if !atomic.CompareAndSwapUint32(w, from, to) {
		return &LibraryExit{Msg: fmt.Sprintf("%s: state %d, want %d", what, atomic.LoadUint32(w), from)}
	}
	return nil
}

// PollWorker is libumcg's umcg_poll_worker: PROCESSING -> POLLING,
// sys_umcg_poll_worker(0, &ut), POLLING -> PROCESSING.
func (k *Kernel) PollWorker(self Task, m Marker) (Task, error) {
	st, _ := self.(*kernelTask)
	if k.shutdown.Load() != 0 {
		return nil, k.stopErr()
	}
	if err := cas(st.state(), stateProcessing, statePolling, "umcg_poll_worker: wrong server state before"); err != nil {
		return nil, err
	}
	var ut uintptr
	_, _, e := unix.Syscall(k.nr.PollWorker, 0, uintptr(unsafe.Pointer(&ut)), 0)
	if err := cas(st.state(), statePolling, stateProcessing, "umcg_poll_worker: wrong server state after"); err != nil {
		return nil, err
	}
	if e == unix.EINTR && k.shutdown.Load() != 0 {
		return nil, k.stopErr()
	}
	if e != 0 {
		return nil, e
	}
	return k.byAddr(ut), nil
}

func (k *Kernel) stopErr() error {
	if k.shutdown.Load() == 2 {
		return ErrAborted
	}
	return ErrShutdown
}

// RunWorker is libumcg's umcg_run_worker: worker RUNNABLE -> RUNNING,
// server PROCESSING -> SERVING, sys_umcg_run_worker(0, tid, &ut) again
// while it fails with EAGAIN, server SERVING -> PROCESSING.
func (k *Kernel) RunWorker(self, w Task, m Marker) (Task, error) {
	st, _ := self.(*kernelTask)
	wt, _ := w.(*kernelTask)
	if wt == nil {
		return nil, unix.ESRCH
	}
	if err := cas(wt.state(), stateRunnable, stateRunning, "umcg_run_worker: wrong worker state"); err != nil {
		return nil, err
	}
	if err := cas(st.state(), stateProcessing, stateServing, "umcg_run_worker: wrong server state"); err != nil {
		return nil, err
	}
	var ut uintptr
	var e unix.Errno
	for {
		_, _, e = unix.Syscall(k.nr.RunWorker, 0, uintptr(wt.tid), uintptr(unsafe.Pointer(&ut)))
		if e != unix.EAGAIN || k.shutdown.Load() == 2 {
			break
		}
	}
	if e == unix.EINTR && k.shutdown.Load() == 2 {
		return nil, ErrAborted
	}
	if e != 0 {
		// libumcg returns UMCG_NONE here and leaves the server SERVING.
		return nil, e
	}
	if err := cas(st.state(), stateServing, stateProcessing, "umcg_run_worker: wrong server state after"); err != nil {
		return nil, err
	}
	return k.byAddr(ut), nil
}

// Unregister is sys_umcg_unregister_task(0).
func (k *Kernel) Unregister(self Task) error {
	_, _, e := unix.Syscall(k.nr.UnregisterTask, 0, 0, 0)
	if t, ok := self.(*kernelTask); ok {
		t.done.Store(true)
	}
	return sysErr(e)
}

// Block does nothing: the kernel blocks the worker in its syscall.
func (k *Kernel) Block(self Task) error { return nil }

// Unblock does nothing: the kernel queues the worker and returns from its
// syscall once a server runs it.
func (k *Kernel) Unblock(self Task, m Marker) error { return nil }

// Shutdown makes servers stop: a PollWorker that begins returns
// ErrShutdown, and every server still registered is sent SIGURG every
// millisecond until it unregistered, so that one sleeping in
// sys_umcg_poll_worker returns EINTR and then ErrShutdown.
func (k *Kernel) Shutdown() {
	k.shutdown.CompareAndSwap(0, 1)
	k.kick.Do(func() { go k.kickServers() })
}

// Abort is Shutdown, and RunWorker gives up too (ErrAborted).
func (k *Kernel) Abort() {
	k.shutdown.Store(2)
	k.kick.Do(func() { go k.kickServers() })
}

func (k *Kernel) kickServers() {
	pid := unix.Getpid()
	for i := 0; i < 60000; i++ { // at most a minute
		k.mu.Lock()
		var tids []int
		for _, t := range k.tasks {
			if t.server && !t.done.Load() {
				tids = append(tids, t.tid)
			}
		}
		k.mu.Unlock()
		if len(tids) == 0 {
			return
		}
		for _, tid := range tids {
			unix.Tgkill(pid, tid, unix.SIGURG)
		}
		time.Sleep(time.Millisecond)
	}
}
