package umcg01

import (
	"encoding/binary"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Bounds of a State: the sizes of its arrays. MaxThreads is what the trace
// specification (Spec) needs for a partition of a real scheduler's tasks
// (a pool of dozens of workers); the explorer's configurations stay far
// below it (New refuses more than MaxModelThreads). The arrays are
// sized by the bounds, but the explorer touches only the part a state
// uses (its N threads and G groups: Decode, CopyState), so their size
// costs the search nothing; only whole copies of a State pay for it.
const (
	MaxThreads = 16
	MaxGroups  = 4
	// MaxModelThreads bounds the threads of an explored configuration
	// (below the engine's sim.MaxThreads): a configuration of more
	// threads has far too many states to explore.
	MaxModelThreads = 16
)

// None marks an absent thread or group in int8 fields.
const None int8 = -1

// Sleep says where a thread sleeps in the kernel.
type Sleep uint8

// Sleeps. SleepIO is a worker's own blocking syscall (the worker is BLOCKED);
// the others are UMCG sleeps.
const (
	Awake     Sleep = iota
	SleepWait       // sys_umcg_wait (for a served worker: its context switch to the server)
	SleepSwap       // sys_umcg_swap
	SleepIdle       // a worker registered or unblocked, waiting to be run
	SleepPoll       // a server in sys_umcg_poll_worker
	SleepRun        // a server in sys_umcg_run_worker
	SleepIO         // a worker in a blocking syscall
)

func (s Sleep) String() string {
	return [...]string{"awake", "wait", "swap", "idle", "poll", "run", "io"}[s]
}

// Wake says why a sleeping thread was made runnable; it is consumed when the
// thread resumes.
type Wake uint8

// Wake reasons.
const (
	WakeNone     Wake = iota
	WakeNormal        // by the protocol (wake, run, handoff, block, ...)
	WakeSignal        // a signal (fault eintr)
	WakeSpurious      // a spurious wakeup (fault spurious)
)

// Reason says why a server's run_worker sleep ended; it is kernel state
// that the fixed kernel reports and a ghost for the seed's.
type Reason uint8

// Reasons.
const (
	ReasonNone Reason = iota
	ReasonBlocked
	ReasonYielded
	ReasonUnregistered
	ReasonPreempted
)

func (r Reason) String() string {
	return [...]string{"none", "blocked", "yielded", "unregistered", "preempted"}[r]
}

// Status is a thread's life.
type Status uint8

// Statuses. Exited and Killed end the whole process.
const (
	Alive    Status = iota
	Finished        // its program completed
	Exited          // libumcg called exit(1)
	Killed          // the kernel sent it a fatal SIGSEGV
	Dead            // it died without unregistering (fault death)
	Aborted         // the client gave up after an unexpected result
)

func (s Status) String() string {
	return [...]string{"alive", "finished", "exited", "killed", "dead", "aborted"}[s]
}

// Thread is everything the model keeps for one thread: its client program,
// the library call in progress, its user memory, the kernel's view of the
// task, and ghost fields for the properties.
type Thread struct {
	// Client program.
	PC     uint8
	Iter   uint8
	Status Status
	Sig    uint8 // client flags other threads await (bit 0: ready, bit 1: done)

	// Library call in progress (Fn == CallNone outside the library).
	Fn     Call
	LPC    uint8 // step within Fn
	Arg    int8  // argument: thread (utid) or group handle, None for UMCG_NONE
	Ptr    int8  // a task_tls pointer the call loaded: owner thread, None = NULL
	PtrGen uint8 // allocation generation Ptr points to
	Local  uint8 // other locals (should_wake, should_wait, loaded state)
	Ret    int16 // return value of the last call (see Observation.Ret)
	Errno  Errno // the thread's errno
	SysRet Errno // the last syscall's result: 0 or an errno

	// User memory owned by the thread.
	TLS   uint8     // umcg_task_tls: 0 = NULL, else the generation it points to
	Gen   uint8     // generation of the latest task_tls allocation
	Freed bool      // the latest allocation was freed
	Word  TaskState // umcg_task.state in the latest allocation
	// TLSKind is the kind the fixed library records in the task_tls when
	// it registers (run-checks-kind), KindNone before; the seed records
	// none.
	TLSKind Kind

	// Kernel.
	Kind   Kind
	Group  int8
	Peer   int8
	InWait bool
	Sleep  Sleep
	Wake   Wake
	Out    int8   // out-parameter of poll/run: a task or None
	Reason Reason // why the last run_worker sleep ended
	// Dangling: v0.1 freed this core task's umcg_task_data on unregister
	// but left current->umcg_task_data pointing at it, so the kernel
	// still takes the task for registered (register says EINVAL).
	Dangling bool
	// Nap is a worker's sleep outside UMCG (a page fault, a mutex: the
	// sleep event, Config.Sleeps): NapNone, or asleep (or waiting to be
	// run again) after the block hook acted (NapBlocked) or did nothing
	// (NapPlain). The thread goes on where it was when it is back in
	// user space.
	Nap Nap

	// Ghost.
	GEntry Errno // the errno the call's entry checks require, if any
	GKern  Errno // the errno the kernel returned in this call, if any
	// GRan is, for a server inside run_worker, the last worker that ran
	// linked to it (awake, RUNNING): the worker run_worker's
	// documentation promises to return; None otherwise.
	GRan int8
}

// Nap says whether, and how, a worker sleeps outside UMCG.
type Nap uint8

// Naps.
const (
	NapNone    Nap = iota
	NapBlocked     // the block hook made the worker BLOCKED
	NapPlain       // the block hook did nothing (the word was not RUNNING)
)

// Group is a UMCG group: the library's struct umcg_group and the kernel's group.
type Group struct {
	Lib    uint8 // struct umcg_group: 0 never allocated, 1 live, 2 freed
	Exists bool  // the kernel's group exists
	// Unlisted: the group exists but is not on the process's list of
	// groups, so no syscall can find it by its id (v0.1's create_group
	// passes list_add_rcu its arguments swapped, which leaves only the
	// newest group on the list). Tasks registered in it keep using it.
	Unlisted bool
	NrTasks  uint8
	NWait    uint8
	Waiters  [MaxThreads]int8 // UNBLOCKED workers or polling servers, never both
	NGhost   uint8
	Ghost    [MaxThreads]int8 // ghost: UNBLOCKED workers in unblock order
}

// State is one state of the library-level model. It is a plain value: copy
// it to keep it. Only the first N threads and G groups are meaningful: the
// slots past them may hold anything (Decode and CopyState leave them as
// they were), and nothing reads them; a group slot is cleared when a
// create_group first takes it.
type State struct {
	N, G       uint8
	FaultsUsed uint8
	SleepsUsed uint8 // sleep events so far (Config.Sleeps)
	T          [MaxThreads]Thread
	Grp        [MaxGroups]Group
}

// Live reports whether the process is still running: no thread has exited
// or been killed.
func (s *State) Live() bool {
	for i := 0; i < int(s.N); i++ {
		if st := s.T[i].Status; st == Exited || st == Killed {
			return false
		}
	}
	return true
}

const threadBytes = 29

// AppendEncoding appends the canonical encoding of s to b. Two states are
// equal exactly when their encodings are equal.
func (s *State) AppendEncoding(b []byte) []byte {
	if s.SleepsUsed > 0 {
		// The high bit of N says a count of sleeps follows, so states
		// of configurations without sleeps encode as they always did.
		b = append(b, s.N|0x80, s.G, s.FaultsUsed, s.SleepsUsed)
	} else {
		b = append(b, s.N, s.G, s.FaultsUsed)
	}
	for i := 0; i < int(s.N); i++ {
		b = appendThread(b, &s.T[i])
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		ex := uint8(0)
		if gr.Exists {
			ex = 1
		}
		if gr.Unlisted {
			ex |= 2
		}
		b = append(b, gr.Lib, ex, gr.NrTasks, gr.NWait)
		for i := 0; i < int(gr.NWait); i++ {
			b = append(b, uint8(gr.Waiters[i]))
		}
		b = append(b, gr.NGhost)
		for i := 0; i < int(gr.NGhost); i++ {
			b = append(b, uint8(gr.Ghost[i]))
		}
	}
	return b
}

// appendThread appends the threadBytes bytes that encode t.
func appendThread(b []byte, t *Thread) []byte {
	var fl uint8
	if t.Freed {
		fl |= 1
	}
	if t.InWait {
		fl |= 2
	}
	if t.Dangling {
		fl |= 4
	}
	fl |= uint8(t.Nap) << 3
	fl |= uint8(t.TLSKind) << 5
	b = append(b, t.PC, t.Iter, uint8(t.Status), t.Sig, uint8(t.Fn), t.LPC,
		uint8(t.Arg), uint8(t.Ptr), t.PtrGen, t.Local)
	b = binary.LittleEndian.AppendUint16(b, uint16(t.Ret))
	b = append(b, uint8(t.Errno), uint8(t.SysRet), t.TLS, t.Gen, fl)
	b = binary.LittleEndian.AppendUint16(b, uint16(t.Word))
	b = append(b, uint8(t.Kind), uint8(t.Group), uint8(t.Peer), uint8(t.Sleep),
		uint8(t.Wake), uint8(t.Out), uint8(t.Reason), uint8(t.GEntry), uint8(t.GKern), uint8(t.GRan))
	return b
}

// EncodedSize is the upper bound of the encoding's length in bytes
// (encodedSize of MaxThreads threads).
const EncodedSize = 4 + MaxThreads*threadBytes + MaxGroups*(5+2*MaxThreads)

// encodedSize is the upper bound of the encoding's length of a state of n
// threads: each group's queue and ghost list hold at most n each.
func encodedSize(n int) int { return 4 + n*threadBytes + MaxGroups*(5+2*n) }

// CopyState sets *dst to a state equal to *src (the same encoding, and the
// same for every function of the model) by copying only the part src
// uses: its counts, its N threads and its G groups. The rest of dst stays
// as it was. It is the explorer's copy (sim.Model.Copy): a State sized
// for MaxThreads costs it only what a configuration uses.
func CopyState(dst, src *State) {
	dst.N, dst.G, dst.FaultsUsed, dst.SleepsUsed = src.N, src.G, src.FaultsUsed, src.SleepsUsed
	copy(dst.T[:src.N], src.T[:src.N])
	copy(dst.Grp[:src.G], src.Grp[:src.G])
}

// Fingerprint is the engine's 64-bit hash (sim.Hash) of the canonical
// encoding. It is deterministic across runs and machines.
func (s *State) Fingerprint() uint64 {
	var buf [512]byte // a few threads' worth; more grow it
	return sim.Hash(s.AppendEncoding(buf[:0]))
}

// Decode sets s to the state whose canonical encoding is b (the inverse of
// AppendEncoding). It reports false when b is not such an encoding (s is
// then partly written). It writes only the header, the N threads and the
// G groups the encoding holds: the slots past them stay as they were.
func (s *State) Decode(b []byte) bool {
	s.N, s.G, s.FaultsUsed, s.SleepsUsed = 0, 0, 0, 0
	if len(b) < 3 {
		return false
	}
	s.N, s.G, s.FaultsUsed = b[0], b[1], b[2]
	b = b[3:]
	if s.N&0x80 != 0 {
		if len(b) < 1 || b[0] == 0 {
			return false
		}
		s.N &^= 0x80
		s.SleepsUsed = b[0]
		b = b[1:]
	}
	if s.N > MaxThreads || s.G > MaxGroups {
		return false
	}
	for i := 0; i < int(s.N); i++ {
		if len(b) < threadBytes {
			return false
		}
		// One composite literal: every field is written, none left
		// from what the slot held before.
		fl := b[16]
		s.T[i] = Thread{
			PC: b[0], Iter: b[1], Status: Status(b[2]), Sig: b[3], Fn: Call(b[4]), LPC: b[5],
			Arg: int8(b[6]), Ptr: int8(b[7]), PtrGen: b[8], Local: b[9],
			Ret:   int16(binary.LittleEndian.Uint16(b[10:])),
			Errno: Errno(b[12]), SysRet: Errno(b[13]), TLS: b[14], Gen: b[15],
			Freed: fl&1 != 0, InWait: fl&2 != 0, Dangling: fl&4 != 0,
			Nap: Nap(fl >> 3 & 3), TLSKind: Kind(fl >> 5 & 3),
			Word: TaskState(binary.LittleEndian.Uint16(b[17:])),
			Kind: Kind(b[19]), Group: int8(b[20]), Peer: int8(b[21]), Sleep: Sleep(b[22]),
			Wake: Wake(b[23]), Out: int8(b[24]), Reason: Reason(b[25]), GEntry: Errno(b[26]), GKern: Errno(b[27]),
			GRan: int8(b[28]),
		}
		if fl&^0x7f != 0 || Nap(fl>>3&3) > NapPlain {
			return false
		}
		b = b[threadBytes:]
	}
	for g := 0; g < int(s.G); g++ {
		if len(b) < 4 {
			return false
		}
		gr := &s.Grp[g]
		*gr = Group{Lib: b[0], Exists: b[1]&1 != 0, Unlisted: b[1]&2 != 0, NrTasks: b[2], NWait: b[3]}
		if b[1] > 3 {
			return false
		}
		b = b[4:]
		if int(gr.NWait) > MaxThreads || len(b) < int(gr.NWait)+1 {
			return false
		}
		for i := 0; i < int(gr.NWait); i++ {
			gr.Waiters[i] = int8(b[i])
		}
		b = b[gr.NWait:]
		gr.NGhost = b[0]
		b = b[1:]
		if int(gr.NGhost) > MaxThreads || len(b) < int(gr.NGhost) {
			return false
		}
		for i := 0; i < int(gr.NGhost); i++ {
			gr.Ghost[i] = int8(b[i])
		}
		b = b[gr.NGhost:]
	}
	return len(b) == 0
}
