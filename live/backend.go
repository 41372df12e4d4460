// Package live runs UMCG servers and workers on real OS threads doing real
// blocking syscalls, and records what they did as a trace (package traces)
// that lincheck.Check then checks for linearizability against the model.
//
// The UMCG implementation under test is a [Backend]. Two are shipped: "emu"
// ([NewEmu]), UMCG's server/worker semantics (the model's fixed variant) in
// user space on stock Linux, with seeded bugs for testing the tests; and
// "kernel" ([NewKernel]), which issues the UMCG syscalls by number and, on a
// kernel without UMCG, fails at once with one clear error (ENOSYS, or the
// errno of whatever syscall now has the number: 447 is memfd_secret since
// Linux 5.14). A user plugs in their own
// Backend (a runtime's user-mode scheduler, a patched kernel) and gets the
// same workloads ([Run]) and the same trace check. docs/live.md shows how.
package live

import (
	"errors"
	"strconv"
	"syscall"
)

// Group is a backend's handle of a UMCG group.
type Group any

// Task is a backend's handle of a registered task (a server or a worker).
type Task interface {
	// ID is the id the task was registered with.
	ID() int
}

// Marker receives the two moments of a sleeping call that only the
// backend sees. Run passes one to every call that can sleep. A backend
// calls Sleeping once the call took its first effect (a worker is queued, a
// server is on the waiters list, a worker was handed the CPU) and just
// before it sleeps, and Woken once it was woken and goes on to return. A
// call that returns without sleeping calls neither. A backend that cannot
// see these moments may call neither: the recorder then writes the request
// with the whole call's interval and the followup as a point at its end,
// which are still correct bounds (docs/trace-format.md).
type Marker interface {
	Sleeping()
	Woken()
}

// Backend is an implementation of UMCG's server/worker API, driven by the
// workloads of this package. Each method is called on the OS thread of the
// task it names (the goroutine is locked to its thread), as libumcg would
// be. Failures are reported as a syscall.Errno (recorded as the call's
// errno); ErrShutdown and ErrAborted end a task without being recorded.
//
// The semantics expected are those of model.Spec (the fixed library and
// kernel of docs/semantics.md): a trace that Run records must be
// linearizable with respect to it.
type Backend interface {
	// Name is the trace header's source: "emu", "kernel", ...
	Name() string
	// CreateGroup creates a group (umcg_create_group).
	CreateGroup() (Group, error)
	// DestroyGroup destroys a group without tasks (umcg_destroy_group).
	DestroyGroup(g Group) error
	// RegisterServer registers the calling thread as a server of g
	// (umcg_register_server): it is PROCESSING when the call returns.
	RegisterServer(g Group, id int) (Task, error)
	// RegisterWorker registers the calling thread as a worker of g
	// (umcg_register_worker): the worker is UNBLOCKED and queued, or
	// handed to a polling server, and the call sleeps until a server runs
	// it; it returns RUNNING.
	RegisterWorker(g Group, id int, m Marker) (Task, error)
	// PollWorker returns the longest-waiting UNBLOCKED worker of the
	// server's group as RUNNABLE, sleeping until there is one
	// (umcg_poll_worker). After Shutdown, a server that would sleep (or
	// sleeps) returns ErrShutdown instead.
	PollWorker(self Task, m Marker) (Task, error)
	// RunWorker runs the RUNNABLE worker w and sleeps until w blocks,
	// yields or unregisters (umcg_run_worker). It returns w when w
	// blocked or yielded, and (nil, nil), errno 0, when w unregistered.
	RunWorker(self, w Task, m Marker) (Task, error)
	// Unregister unregisters the calling task (umcg_unregister_task). A
	// served worker that unregisters ends its server's RunWorker.
	Unregister(self Task) error
	// Block is the kernel's hook as a RUNNING worker enters a blocking
	// syscall: the worker becomes BLOCKED and its server's RunWorker
	// returns it. It does not sleep; the caller then performs the real
	// syscall.
	Block(self Task) error
	// Unblock is the kernel's hook as the worker's blocking syscall
	// completes: the worker becomes UNBLOCKED and is queued, or handed to
	// the longest-waiting polling server, and sleeps until a server runs
	// it. Sleeping marks the end of the unblock event.
	Unblock(self Task, m Marker) error
	// Shutdown is called once every worker has unregistered: it wakes the
	// servers sleeping in PollWorker, which return ErrShutdown, and makes
	// any later PollWorker that would sleep return ErrShutdown.
	Shutdown()
	// Abort ends a run that hangs: every task sleeping in a call, and any
	// that would sleep later, returns ErrAborted.
	Abort()
}

// ErrShutdown is returned by PollWorker after Backend.Shutdown.
var ErrShutdown = errors.New("live: shut down")

// ErrAborted is returned by calls ended by Backend.Abort.
var ErrAborted = errors.New("live: aborted")

// errnoOf returns the errno of a backend error: 0 for nil, the
// syscall.Errno, or -1 for an error that carries none.
func errnoOf(err error) (int, bool) {
	if err == nil {
		return 0, true
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return int(e), true
	}
	return -1, false
}

// Backends lists the names NewBackend takes.
func Backends() []string { return []string{"emu", "kernel"} }

// NewBackend returns the backend named name: "emu" with the seeded bug
// (ParseBug's names, "" for none), or "kernel" with the v0.1 syscall
// numbers, which fails with an error wrapping ErrNoUMCG on a kernel
// without UMCG. Every error is one line.
func NewBackend(name, bug string) (Backend, error) {
	switch name {
	case "emu":
		b, err := ParseBug(bug)
		if err != nil {
			return nil, err
		}
		return NewEmu(b), nil
	case "kernel":
		if bug != "" {
			return nil, errors.New("--bug: only the emu backend has seeded bugs")
		}
		k, err := NewKernel(V01Syscalls())
		if err != nil {
			return nil, err
		}
		return k, nil
	}
	return nil, errors.New("unknown backend " + strconv.Quote(name) + " (want emu or kernel)")
}
