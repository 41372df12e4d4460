package umcg01

import (
	"fmt"
	"strconv"
)

// TaskState is the u32 state word of struct umcg_task (v0.1 uapi): the state
// in bits 0-7 and flags in bits 8-15.
type TaskState uint16

// v0.1 uapi state values and flags.
const (
	StateNone       TaskState = 0
	StatePolling    TaskState = 1 // server
	StateServing    TaskState = 2 // server
	StateProcessing TaskState = 3 // server
	StateRunnable   TaskState = 4 // worker, core task
	StateRunning    TaskState = 5 // worker, core task
	StateBlocked    TaskState = 6 // worker
	StateUnblocked  TaskState = 7 // worker

	// FlagWakeupQueued is set and cleared by libumcg only. The v0.1
	// kernel does not interpret it, but it compares whole words, so to it
	// a worker with the flag set is in an unknown state.
	FlagWakeupQueued TaskState = 1 << 8

	stateMask TaskState = 0xff
)

// Base returns the state without its flags.
func (s TaskState) Base() TaskState { return s & stateMask }

func (s TaskState) String() string {
	names := [...]string{"NONE", "POLLING", "SERVING", "PROCESSING", "RUNNABLE", "RUNNING", "BLOCKED", "UNBLOCKED"}
	b := s.Base()
	var n string
	if int(b) < len(names) {
		n = names[b]
	} else {
		n = "STATE(" + strconv.Itoa(int(b)) + ")"
	}
	if s&FlagWakeupQueued != 0 {
		n += "|WAKEUP_QUEUED"
	}
	if rest := s &^ (stateMask | FlagWakeupQueued); rest != 0 {
		n += "|0x" + strconv.FormatUint(uint64(rest), 16)
	}
	return n
}

// Errno is a Linux errno value as the library or kernel reports it. The seed
// library can store -1 into errno (its `errno = ret` after libc's syscall()
// already returned -1), so the type is signed.
type Errno int8

// Linux x86_64 errno values used by UMCG.
const (
	OK         Errno = 0
	EPERM      Errno = 1
	ESRCH      Errno = 3
	EINTR      Errno = 4
	EAGAIN     Errno = 11
	ENOMEM     Errno = 12
	EBUSY      Errno = 16
	EINVAL     Errno = 22
	ENOSYS     Errno = 38
	EOPNOTSUPP Errno = 95

	// EntryUnregistered is not an errno but a ghost value of
	// Observation.GEntry: run_worker found its worker already
	// unregistered, for which the header's answer is UMCG_NONE, errno 0.
	EntryUnregistered Errno = -2
)

func (e Errno) String() string {
	switch e {
	case OK:
		return "0"
	case EPERM:
		return "EPERM"
	case ESRCH:
		return "ESRCH"
	case EINTR:
		return "EINTR"
	case EAGAIN:
		return "EAGAIN"
	case ENOMEM:
		return "ENOMEM"
	case EBUSY:
		return "EBUSY"
	case EINVAL:
		return "EINVAL"
	case ENOSYS:
		return "ENOSYS"
	case EOPNOTSUPP:
		return "EOPNOTSUPP"
	}
	return strconv.Itoa(int(e))
}

// ParseErrno is the inverse of Errno.String.
func ParseErrno(s string) (Errno, bool) {
	for _, e := range []Errno{OK, EPERM, ESRCH, EINTR, EAGAIN, ENOMEM, EBUSY, EINVAL, ENOSYS, EOPNOTSUPP} {
		if e.String() == s {
			return e, true
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -128 || n > 127 {
		return 0, false
	}
	return Errno(n), true
}

// Kind is what the kernel registered a task as.
type Kind uint8

// Task kinds. KindNone is an unregistered thread.
const (
	KindNone Kind = iota
	KindCore
	KindWorker
	KindServer
)

func (k Kind) String() string {
	return [...]string{"none", "core", "worker", "server"}[k]
}

// Variant selects the library and kernel being modelled.
type Variant uint8

const (
	// Seed is libumcg v0.1 as posted (the seed text), on the v0.1 kernel as
	// reconstructed in docs/semantics.md, modelled literally.
	Seed Variant = iota
	// Fixed is umcgcheck's corrected library and kernel; every correction is
	// listed in docs/semantics.md with the finding it answers.
	Fixed
)

func (v Variant) String() string {
	if v == Fixed {
		return "fixed"
	}
	return "seed"
}

// ParseVariant parses "seed" or "fixed".
func ParseVariant(s string) (Variant, bool) {
	switch s {
	case "seed":
		return Seed, true
	case "fixed":
		return Fixed, true
	}
	return 0, false
}

// Call names an API function of libumcg, or a client-level action that is
// not a library call (a blocking syscall by a worker).
type Call uint8

// Library calls. The order is the order of the RFC's header files.
const (
	CallNone Call = iota
	CallRegisterCore
	CallRegisterWorker
	CallRegisterServer
	CallUnregister
	CallWait
	CallWake
	CallSwap
	CallCreateGroup
	CallDestroyGroup
	CallPollWorker
	CallRunWorker
	CallGetTaskState
	numCalls
)

// The calls table (calls.go) names the calls and says what each takes,
// whether it sleeps and how its result reads.

// Fault is a set of faults the environment may inject.
type Fault uint8

// Faults, each switchable.
const (
	// FaultEINTR delivers a signal to a thread in an interruptible UMCG sleep
	// (wait, swap, poll_worker, run_worker).
	FaultEINTR Fault = 1 << iota
	// FaultESRCH makes a syscall that targets another thread (wake, swap,
	// run_worker) fail as if that thread were gone.
	FaultESRCH
	// FaultENOMEM makes malloc fail, or an allocating syscall (register,
	// create_group) fail with ENOMEM.
	FaultENOMEM
	// FaultDeath kills a worker thread without unregistering it.
	FaultDeath
	// FaultSpurious wakes a sleeping thread for no reason.
	FaultSpurious
	// FaultPreempt preempts a running served worker (preempt_worker).
	FaultPreempt

	AllFaults = FaultEINTR | FaultESRCH | FaultENOMEM | FaultDeath | FaultSpurious | FaultPreempt
)

var faultNames = []struct {
	f    Fault
	name string
}{{FaultEINTR, "eintr"}, {FaultESRCH, "esrch"}, {FaultENOMEM, "enomem"},
	{FaultDeath, "death"}, {FaultSpurious, "spurious"}, {FaultPreempt, "preempt"}}

func (f Fault) String() string {
	if f == 0 {
		return "none"
	}
	s := ""
	for _, fn := range faultNames {
		if f&fn.f != 0 {
			if s != "" {
				s += ","
			}
			s += fn.name
		}
	}
	return s
}

// ParseFaults parses a comma-separated list of fault names, "none" or "all".
func ParseFaults(s string) (Fault, bool) {
	switch s {
	case "", "none":
		return 0, true
	case "all":
		return AllFaults, true
	}
	var f Fault
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != ',' {
			continue
		}
		name := s[start:i]
		start = i + 1
		found := false
		for _, fn := range faultNames {
			if fn.name == name {
				f |= fn.f
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return f, true
}

// MarshalText encodes v as "seed" or "fixed".
func (v Variant) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (v *Variant) UnmarshalText(b []byte) error {
	p, ok := ParseVariant(string(b))
	if !ok {
		return fmt.Errorf("unknown variant %q (want seed or fixed)", b)
	}
	*v = p
	return nil
}

// MarshalText encodes f as ParseFaults reads it.
func (f Fault) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText is the inverse of MarshalText.
func (f *Fault) UnmarshalText(b []byte) error {
	p, ok := ParseFaults(string(b))
	if !ok {
		return fmt.Errorf("unknown faults %q (known: eintr, esrch, enomem, death, spurious, preempt, all, none)", b)
	}
	*f = p
	return nil
}
