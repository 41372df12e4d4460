package umcg01

import (
	"encoding/binary"
	"slices"

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
	MaxThreads = 127 // a thread's index is an int8
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
// slots past them, and a group's queue and ghost list past their counts,
// may hold anything (Decode and CopyState leave them as they were), and
// nothing reads them; a group slot is cleared when a create_group first
// takes it.
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
//
// It grows b once, for the whole encoding, and writes each thread into a
// fixed-size array (putThread): no append and no bounds check per field.
// The explorer encodes every state it stores, and the trace checker
// every search state, so this is on both hot paths.
func (s *State) AppendEncoding(b []byte) []byte {
	n, ng := int(s.N), int(s.G)
	size := 3 + n*threadBytes + 5*ng
	if s.SleepsUsed > 0 {
		size++
	}
	for g := range s.Grp[:ng] {
		size += int(s.Grp[g].NWait) + int(s.Grp[g].NGhost)
	}
	at := len(b)
	b = slices.Grow(b, size)[:at+size]
	e := b[at:]
	if s.SleepsUsed > 0 {
		// The high bit of N says a count of sleeps follows, so states
		// of configurations without sleeps encode as they always did.
		e[0], e[1], e[2], e[3] = s.N|0x80, s.G, s.FaultsUsed, s.SleepsUsed
		e = e[4:]
	} else {
		e[0], e[1], e[2] = s.N, s.G, s.FaultsUsed
		e = e[3:]
	}
	for i := range s.T[:n] {
		putThread((*[threadBytes]byte)(e), &s.T[i])
		e = e[threadBytes:]
	}
	for g := range s.Grp[:ng] {
		gr := &s.Grp[g]
		ex := uint8(0)
		if gr.Exists {
			ex = 1
		}
		if gr.Unlisted {
			ex |= 2
		}
		e[0], e[1], e[2], e[3] = gr.Lib, ex, gr.NrTasks, gr.NWait
		e = e[4:]
		for i, w := range gr.Waiters[:gr.NWait] {
			e[i] = uint8(w)
		}
		e = e[gr.NWait:]
		e[0] = gr.NGhost
		e = e[1:]
		for i, w := range gr.Ghost[:gr.NGhost] {
			e[i] = uint8(w)
		}
		e = e[gr.NGhost:]
	}
	return b
}

// putThread writes the threadBytes bytes that encode t.
func putThread(e *[threadBytes]byte, t *Thread) {
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
	e[0], e[1], e[2], e[3], e[4], e[5] = t.PC, t.Iter, uint8(t.Status), t.Sig, uint8(t.Fn), t.LPC
	e[6], e[7], e[8], e[9] = uint8(t.Arg), uint8(t.Ptr), t.PtrGen, t.Local
	binary.LittleEndian.PutUint16(e[10:12], uint16(t.Ret))
	e[12], e[13], e[14], e[15], e[16] = uint8(t.Errno), uint8(t.SysRet), t.TLS, t.Gen, fl
	binary.LittleEndian.PutUint16(e[17:19], uint16(t.Word))
	e[19], e[20], e[21], e[22], e[23] = uint8(t.Kind), uint8(t.Group), uint8(t.Peer), uint8(t.Sleep), uint8(t.Wake)
	e[24], e[25], e[26], e[27], e[28] = uint8(t.Out), uint8(t.Reason), uint8(t.GEntry), uint8(t.GKern), uint8(t.GRan)
}

// EncodedSize is the upper bound of the encoding's length in bytes
// (encodedSize of MaxThreads threads).
const EncodedSize = 4 + MaxThreads*threadBytes + MaxGroups*(5+2*MaxThreads)

// encodedSize is the upper bound of the encoding's length of a state of n
// threads: each group's queue and ghost list hold at most n each.
func encodedSize(n int) int { return 4 + n*threadBytes + MaxGroups*(5+2*n) }

// CopyState sets *dst to a state equal to *src (the same encoding, and the
// same for every function of the model) by copying only the part src
// uses: its counts, its N threads and its G groups (each group's fields
// and its NWait waiters and NGhost ghosts). The rest of dst stays as it
// was. It is the explorer's copy (sim.Model.Copy): a State sized
// for MaxThreads costs it only what a configuration uses.
func CopyState(dst, src *State) {
	dst.N, dst.G, dst.FaultsUsed, dst.SleepsUsed = src.N, src.G, src.FaultsUsed, src.SleepsUsed
	copy(dst.T[:src.N], src.T[:src.N])
	for g := range src.G {
		d, s := &dst.Grp[g], &src.Grp[g]
		d.setHeader(s)
		copyQueue(d.Waiters[:s.NWait], s.Waiters[:s.NWait])
		copyQueue(d.Ghost[:s.NGhost], s.Ghost[:s.NGhost])
	}
}

// copyQueue copies a group's queue, a few threads at most: a loop, where
// copy would call memmove, whose call costs more than the bytes (about
// 16 M of the 112 M instructions CopyState and memmove took on the race
// with 4 workers).
func copyQueue(dst, src []int8) {
	dst = dst[:len(src)]
	//lint:ignore S1001 copy calls memmove: see above
	for i, t := range src {
		dst[i] = t
	}
}

// setHeader sets g's fields but its two lists to o's.
func (g *Group) setHeader(o *Group) {
	g.Lib, g.Exists, g.Unlisted, g.NrTasks, g.NWait, g.NGhost = o.Lib, o.Exists, o.Unlisted, o.NrTasks, o.NWait, o.NGhost
}

// Equal reports whether g and o are the same group: the same fields, and
// the same waiters and ghosts up to their counts (what lies past the
// counts is not part of the group).
func (g *Group) Equal(o *Group) bool {
	return g.Lib == o.Lib && g.Exists == o.Exists && g.Unlisted == o.Unlisted && g.NrTasks == o.NrTasks &&
		slices.Equal(g.Waiters[:g.NWait], o.Waiters[:o.NWait]) && slices.Equal(g.Ghost[:g.NGhost], o.Ghost[:o.NGhost])
}

// Fingerprint is sim.Hash of the canonical encoding, the same across runs
// and machines. The explorer stores states by another fingerprint,
// SearchFingerprint, which reads the State itself.
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
	for i := range s.T[:s.N] {
		if len(b) < threadBytes {
			return false
		}
		// A fixed-size array: no bounds check per field. Every field is
		// written, none left from what the slot held before
		// (TestDecodeWritesEveryField), and each straight into the
		// slot: a composite literal is built on the stack byte by
		// byte and then copied by wide loads, which cannot be
		// forwarded from the byte stores and wait for them.
		e := (*[threadBytes]byte)(b)
		t := &s.T[i]
		fl := e[16]
		t.PC, t.Iter, t.Status, t.Sig, t.Fn, t.LPC = e[0], e[1], Status(e[2]), e[3], Call(e[4]), e[5]
		t.Arg, t.Ptr, t.PtrGen, t.Local = int8(e[6]), int8(e[7]), e[8], e[9]
		t.Ret = int16(binary.LittleEndian.Uint16(e[10:12]))
		t.Errno, t.SysRet, t.TLS, t.Gen = Errno(e[12]), Errno(e[13]), e[14], e[15]
		t.Freed, t.InWait, t.Dangling = fl&1 != 0, fl&2 != 0, fl&4 != 0
		t.Nap, t.TLSKind = Nap(fl>>3&3), Kind(fl>>5&3)
		t.Word = TaskState(binary.LittleEndian.Uint16(e[17:19]))
		t.Kind, t.Group, t.Peer, t.Sleep, t.Wake = Kind(e[19]), int8(e[20]), int8(e[21]), Sleep(e[22]), Wake(e[23])
		t.Out, t.Reason, t.GEntry, t.GKern, t.GRan = int8(e[24]), Reason(e[25]), Errno(e[26]), Errno(e[27]), int8(e[28])
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
		gr.Lib, gr.Exists, gr.Unlisted, gr.NrTasks, gr.NWait = b[0], b[1]&1 != 0, b[1]&2 != 0, b[2], b[3]
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
