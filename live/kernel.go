package live

import (
	"errors"
	"fmt"
	"sync"
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
// memfd_secret); NewKernel's probe tells the two apart.
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
// number. The kernel itself blocks and unblocks workers inside their
// syscalls, so Block and Unblock do nothing, and Run records the block
// event just before the blocking syscall and the unblock event over the
// syscall (EventsInKernel).
//
// It has not run on a UMCG kernel: none is available. It follows the
// v0.1 uapi (struct umcg_task { u32 state; }, 32-byte aligned).
type Kernel struct {
	nr    KernelSyscalls
	mu    sync.Mutex
	tasks map[uintptr]*kernelTask // by the address of the umcg_task
}

type kernelTask struct {
	id  int
	tid int
	mem []uint64 // holds the 32-byte aligned struct umcg_task
	ut  uintptr  // its address
}

func (t *kernelTask) ID() int { return t.id }

type kernelGroup uint32

// NewKernel probes the kernel with umcg_api_version(1, 0) and returns the
// backend, or an error (wrapping ErrNoUMCG, one line) when the probe does
// not return 0.
func NewKernel(nr KernelSyscalls) (*Kernel, error) {
	r, _, e := unix.Syscall(nr.APIVersion, umcgAPIVersion, 0, 0)
	if e != 0 {
		if e == unix.ENOSYS {
			return nil, fmt.Errorf("kernel: umcg_api_version (syscall %d) failed with ENOSYS: %w (the UMCG RFC was never merged)", nr.APIVersion, ErrNoUMCG)
		}
		return nil, fmt.Errorf("kernel: umcg_api_version (syscall %d) failed with %s (%s): %w (syscall %d is another call here: on Linux 5.14+ x86_64, 447..457 are memfd_secret..statmount; the UMCG RFC was never merged)",
			nr.APIVersion, unix.ErrnoName(e), e.Error(), ErrNoUMCG, nr.APIVersion)
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

func (k *Kernel) newTask(id int) *kernelTask {
	t := &kernelTask{id: id, tid: unix.Gettid(), mem: make([]uint64, 8)}
	p := uintptr(unsafe.Pointer(&t.mem[0]))
	t.ut = (p + 31) &^ 31
	return t
}

func (k *Kernel) register(g Group, id int, flag uintptr) (*kernelTask, error) {
	gid, _ := g.(kernelGroup)
	t := k.newTask(id)
	k.mu.Lock()
	k.tasks[t.ut] = t
	k.mu.Unlock()
	_, _, e := unix.Syscall6(k.nr.RegisterTask, umcgAPIVersion, flag, uintptr(gid), t.ut, 0, 0)
	if e != 0 {
		k.mu.Lock()
		delete(k.tasks, t.ut)
		k.mu.Unlock()
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

// PollWorker is sys_umcg_poll_worker(0, &ut).
func (k *Kernel) PollWorker(self Task, m Marker) (Task, error) {
	var ut uintptr
	_, _, e := unix.Syscall(k.nr.PollWorker, 0, uintptr(unsafe.Pointer(&ut)), 0)
	if e != 0 {
		return nil, e
	}
	return k.byAddr(ut), nil
}

// RunWorker is sys_umcg_run_worker(0, tid, &ut).
func (k *Kernel) RunWorker(self, w Task, m Marker) (Task, error) {
	wt, _ := w.(*kernelTask)
	if wt == nil {
		return nil, unix.ESRCH
	}
	var ut uintptr
	_, _, e := unix.Syscall(k.nr.RunWorker, 0, uintptr(wt.tid), uintptr(unsafe.Pointer(&ut)))
	if e != 0 {
		return nil, e
	}
	return k.byAddr(ut), nil
}

// Unregister is sys_umcg_unregister_task(0).
func (k *Kernel) Unregister(self Task) error {
	_, _, e := unix.Syscall(k.nr.UnregisterTask, 0, 0, 0)
	return sysErr(e)
}

// Block does nothing: the kernel blocks the worker in its syscall.
func (k *Kernel) Block(self Task) error { return nil }

// Unblock does nothing: the kernel queues the worker and returns from its
// syscall once a server runs it.
func (k *Kernel) Unblock(self Task, m Marker) error { return nil }

// Shutdown cannot wake a server sleeping in sys_umcg_poll_worker without a
// signal; v0.1 has no call for it. It does nothing.
func (k *Kernel) Shutdown() {}

// Abort does nothing (see Shutdown).
func (k *Kernel) Abort() {}
