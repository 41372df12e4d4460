package live

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Futex operations (linux/futex.h); golang.org/x/sys/unix does not name them.
const (
	futexWaitOp      = 0
	futexWakeOp      = 1
	futexPrivateFlag = 128
)

// futexWait sleeps while *addr == val (FUTEX_WAIT_PRIVATE). It returns on a
// wakeup, at once when *addr != val (EAGAIN), or on a signal (EINTR):
// callers always re-check their condition. unix.Syscall6, not RawSyscall,
// so that the Go runtime knows the thread is in a syscall and a garbage
// collection does not wait for it.
func futexWait(addr *uint32, val uint32) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)),
		futexWaitOp|futexPrivateFlag, uintptr(val), 0, 0, 0)
}

// futexWake wakes up to n threads sleeping on addr (FUTEX_WAKE_PRIVATE).
func futexWake(addr *uint32, n int) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)),
		futexWakeOp|futexPrivateFlag, uintptr(n), 0, 0, 0)
}

// futexLock is the three-state futex mutex of Drepper's "Futexes Are
// Tricky" (mutex 2): 0 unlocked, 1 locked, 2 locked with possible
// sleepers. Uncontended lock and unlock are one atomic instruction each; a
// contended unlock costs one FUTEX_WAKE. It is held only for a few loads
// and stores, never across a sleep or a syscall.
type futexLock struct{ v uint32 }

func (l *futexLock) lock() {
	if atomic.CompareAndSwapUint32(&l.v, 0, 1) {
		return
	}
	// A short spin: the holder runs a handful of instructions.
	for i := 0; i < 64; i++ {
		if atomic.LoadUint32(&l.v) == 0 && atomic.CompareAndSwapUint32(&l.v, 0, 1) {
			return
		}
	}
	for atomic.SwapUint32(&l.v, 2) != 0 {
		futexWait(&l.v, 2)
	}
}

func (l *futexLock) unlock() {
	if atomic.SwapUint32(&l.v, 0) == 2 {
		futexWake(&l.v, 1)
	}
}

// now reads CLOCK_MONOTONIC in nanoseconds, the clock of the trace.
func now() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic("live: clock_gettime(CLOCK_MONOTONIC): " + err.Error())
	}
	return ts.Nano()
}
