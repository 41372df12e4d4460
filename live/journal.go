package live

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"github.com/umcgcheck/umcgcheck/traces"
	"golang.org/x/sys/unix"
)

// A Journal is a run's trace as it is recorded, in a file mapped shared
// into the recording process: each task writes its ops into its own
// region of the mapping with plain stores (no syscall, no lock, no
// allocation on the task's thread), and publishes each one by an atomic
// store of its count. The file's pages belong to the page cache, not to
// the process: when the process is killed (a UMCG kernel that sends
// SIGSEGV, a timeout), every op published before the kill is in the file,
// and so is the call each task was in. The parent of the run reads the
// file after the child ended (ReadJournal).
//
// Layout (host byte order): a 64-byte file header (magic, number of
// tasks, ops per task), then one region per task: a 64-byte task header
// (thread id, goroutine id, the call the task is in, its count of
// published ops) and its op records, 64 bytes each.
type Journal struct {
	mem   []byte
	tasks int
	slots int
	names map[string]int32 // task name -> index
	gids  map[string]int32 // group name -> index
}

const (
	journalMagic  = "umcgjnl1"
	journalHeader = 64
	journalTaskHd = 64
	journalRecord = 64
)

// task header fields (offsets in the task's region)
const (
	thTid     = 0  // int64
	thGoid    = 8  // int64
	thCurKind = 16 // int32: the op kind of the call in progress, 0 none
	thCurArgW = 20 // int32: its worker argument (task index, -1 none)
	thCurArgG = 24 // int32: its group argument (group index, -1 none)
	thCount   = 28 // uint32: published ops
	thCurCall = 32 // int64: when the call began
	thCurAct  = 40 // int32: what the task is doing (act*)
)

// record fields
const (
	rKind    = 0  // uint8
	rPhase   = 1  // uint8
	rRetKind = 2  // uint8: 0 null, 1 name, 2 int
	rRetName = 4  // int32 (task index)
	rArgW    = 8  // int32 (task index, -1 none)
	rArgG    = 12 // int32 (group index, -1 none)
	rErrno   = 16 // int64
	rRetInt  = 24 // int64
	rCall    = 32 // int64
	rReturn  = 40 // int64
)

// journalSize is the file size of a journal of the given tasks and slots.
func journalSize(tasks, slots int) int {
	return journalHeader + tasks*(journalTaskHd+slots*journalRecord)
}

// jlayout is what a journal of workload w holds: its task and group
// names, and the most ops a task can record.
func jlayout(w Workload) (names, gnames []string, slots int) {
	names, gnames, caps := taskNames(w)
	for _, c := range caps {
		slots = max(slots, c)
	}
	return names, gnames, slots
}

// CreateJournal creates the journal file of workload w at path (which
// must not exist), sized for the workload.
func CreateJournal(path string, w Workload) error {
	if err := w.Validate(); err != nil {
		return err
	}
	names, _, slots := jlayout(w)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	hd := make([]byte, journalHeader)
	copy(hd, journalMagic)
	binary.NativeEndian.PutUint32(hd[8:], uint32(len(names)))
	binary.NativeEndian.PutUint32(hd[12:], uint32(slots))
	if _, err := f.Write(hd); err != nil {
		return err
	}
	return f.Truncate(int64(journalSize(len(names), slots)))
}

// OpenJournal maps the journal file at path, created by CreateJournal for
// the same workload, for recording.
func OpenJournal(path string, w Workload) (*Journal, error) {
	names, gnames, slots := jlayout(w)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := journalSize(len(names), slots)
	if st, err := f.Stat(); err != nil || st.Size() != int64(size) {
		return nil, fmt.Errorf("journal %s: not the size of this workload's journal", path)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("journal %s: mmap: %w", path, err)
	}
	j := &Journal{mem: mem, tasks: len(names), slots: slots, names: map[string]int32{}, gids: map[string]int32{}}
	if string(mem[:8]) != journalMagic || int(binary.NativeEndian.Uint32(mem[8:])) != j.tasks || int(binary.NativeEndian.Uint32(mem[12:])) != slots {
		j.Close()
		return nil, fmt.Errorf("journal %s: bad header", path)
	}
	for i, n := range names {
		j.names[n] = int32(i)
	}
	for i, g := range gnames {
		j.gids[g] = int32(i)
	}
	return j, nil
}

// Close unmaps the journal.
func (j *Journal) Close() error {
	if j == nil || j.mem == nil {
		return nil
	}
	err := unix.Munmap(j.mem)
	j.mem = nil
	return err
}

func (j *Journal) region(task int) []byte {
	off := journalHeader + task*(journalTaskHd+j.slots*journalRecord)
	return j.mem[off : off+journalTaskHd+j.slots*journalRecord]
}

func p32(b []byte, off int) *int32   { return (*int32)(unsafe.Pointer(&b[off])) }
func p64(b []byte, off int) *int64   { return (*int64)(unsafe.Pointer(&b[off])) }
func pu32(b []byte, off int) *uint32 { return (*uint32)(unsafe.Pointer(&b[off])) }

func (j *Journal) taskIdx(name string) int32 {
	if name == "" {
		return -1
	}
	if i, ok := j.names[name]; ok {
		return i
	}
	return -1
}

func (j *Journal) groupIdx(name string) int32 {
	if name == "" {
		return -1
	}
	if i, ok := j.gids[name]; ok {
		return i
	}
	return -1
}

// started records the task's thread and goroutine ids.
func (j *Journal) started(task, tid int, goid int64) {
	r := j.region(task)
	atomic.StoreInt64(p64(r, thTid), int64(tid))
	atomic.StoreInt64(p64(r, thGoid), goid)
}

// enter records that the task began call kind at t0 (0: it is in no
// call).
func (j *Journal) enter(task int, kind traces.OpKind, args traces.Args, t0 int64) {
	r := j.region(task)
	atomic.StoreInt32(p32(r, thCurArgW), j.taskIdx(args.Worker))
	atomic.StoreInt32(p32(r, thCurArgG), j.groupIdx(args.Group))
	atomic.StoreInt64(p64(r, thCurCall), t0)
	atomic.StoreInt32(p32(r, thCurKind), int32(kindIndex(kind)))
}

// act records what the task is doing (act*), for reports of a death.
func (j *Journal) act(task int, a int32) { atomic.StoreInt32(p32(j.region(task), thCurAct), a) }

// put publishes op as the task's next op; false if its region is full.
func (j *Journal) put(task int, op traces.Op) bool {
	r := j.region(task)
	n := atomic.LoadUint32(pu32(r, thCount))
	if int(n) >= j.slots {
		return false
	}
	rec := r[journalTaskHd+int(n)*journalRecord:]
	rec[rKind] = uint8(kindIndex(op.Kind))
	rec[rPhase] = uint8(op.Phase)
	switch op.Ret.Kind {
	case traces.RetName:
		rec[rRetKind] = 1
		*p32(rec, rRetName) = j.taskIdx(op.Ret.Name)
	case traces.RetInt:
		rec[rRetKind] = 2
		*p64(rec, rRetInt) = op.Ret.Int
	default:
		rec[rRetKind] = 0
	}
	*p32(rec, rArgW) = j.taskIdx(op.Args.Worker)
	*p32(rec, rArgG) = j.groupIdx(op.Args.Group)
	*p64(rec, rErrno) = int64(op.Errno)
	*p64(rec, rCall) = op.Call
	*p64(rec, rReturn) = op.Return
	atomic.StoreUint32(pu32(r, thCount), n+1)
	return true
}

// JournalTask is what a journal says of one task: its ops, and where it
// was when recording stopped.
type JournalTask struct {
	Name string
	Tid  int
	Goid int64
	Ops  []traces.Op
	// InCall is the call the task was in (0: none), with its arguments
	// and the time it began.
	InCall     traces.OpKind
	InCallArgs traces.Args
	InCallAt   int64
	// Doing says what the task was doing ("in poll_worker", "in its
	// blocking syscall", "done", ...).
	Doing string
}

// ErrJournal is a journal file that is not one of this workload.
var ErrJournal = errors.New("not a journal of this workload")

// ReadJournal reads the journal file at path, written by a run of
// workload w (complete, or cut short by the death of its process).
func ReadJournal(path string, w Workload) ([]JournalTask, error) {
	names, gnames, slots := jlayout(w)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) != journalSize(len(names), slots) || string(data[:8]) != journalMagic {
		return nil, fmt.Errorf("%s: %w", path, ErrJournal)
	}
	j := &Journal{mem: data, tasks: len(names), slots: slots}
	name := func(i int32, list []string) string {
		if i < 0 || int(i) >= len(list) {
			return ""
		}
		return list[i]
	}
	var out []JournalTask
	for t := range names {
		r := j.region(t)
		jt := JournalTask{Name: names[t], Tid: int(*p64(r, thTid)), Goid: *p64(r, thGoid)}
		n := int(*pu32(r, thCount))
		if n > slots {
			return nil, fmt.Errorf("%s: task %s: %d ops in %d slots: %w", path, names[t], n, slots, ErrJournal)
		}
		for i := 0; i < n; i++ {
			rec := r[journalTaskHd+i*journalRecord:]
			op := traces.Op{Thread: names[t], Kind: journalKinds[rec[rKind]], Phase: traces.Phase(rec[rPhase]),
				Errno: int(*p64(rec, rErrno)), Call: *p64(rec, rCall), Return: *p64(rec, rReturn)}
			if op.Phase != traces.PhaseFollowup {
				op.Args = traces.Args{Worker: name(*p32(rec, rArgW), names), Group: name(*p32(rec, rArgG), gnames)}
			}
			switch rec[rRetKind] {
			case 1:
				op.Ret = traces.NameRet(name(*p32(rec, rRetName), names))
			case 2:
				op.Ret = traces.IntRet(*p64(rec, rRetInt))
			}
			jt.Ops = append(jt.Ops, op)
		}
		if k := *p32(r, thCurKind); k != 0 {
			jt.InCall = journalKinds[k]
			jt.InCallArgs = traces.Args{Worker: name(*p32(r, thCurArgW), names), Group: name(*p32(r, thCurArgG), gnames)}
			jt.InCallAt = *p64(r, thCurCall)
		}
		if a := *p32(r, thCurAct); a >= 0 && int(a) < len(actNames) {
			jt.Doing = actNames[a]
		}
		out = append(out, jt)
	}
	return out, nil
}

// journalKinds numbers the op kinds a journal record holds in one byte
// (0: none); the trace format names them, the journal numbers them.
var journalKinds = []traces.OpKind{"", "register_core_task", "register_worker", "register_server",
	"unregister_task", "wait", "wake", "swap", "create_group", "destroy_group", "poll_worker",
	"run_worker", "get_task_state", "block", "unblock", "preempt"}

// kindIndex is kind's number in journalKinds (0 for none or an unknown one).
func kindIndex(kind traces.OpKind) int {
	for i, k := range journalKinds {
		if k == kind {
			return i
		}
	}
	return 0
}
