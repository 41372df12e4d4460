package traces

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/umcgcheck/umcgcheck/model"
)

// Verdict is the outcome of checking a trace.
type Verdict string

// Verdicts. Unknown means the checker ran out of time: it is not a pass.
const (
	Linearizable    Verdict = "linearizable"
	NotLinearizable Verdict = "not linearizable"
	Unknown         Verdict = "unknown"
)

// Partition is the result for one independent part of a trace: the ops of
// one group's servers and workers, or of all core tasks.
type Partition struct {
	Name    string  // the group's name, or "core tasks"
	Ops     int     // operations in the partition
	Verdict Verdict // of this partition
	// Unplaced lists, for a partition that is not linearizable, the
	// operations the longest partial linearization could not place.
	Unplaced []string
}

// Result is the outcome of Check.
type Result struct {
	Verdict    Verdict
	Partitions []Partition
	// Model and Info let Visualize draw porcupine's view of the check.
	Model porcupine.Model
	Info  porcupine.LinearizationInfo
	// Edges counts the state-word edges (per task kind) the
	// linearizations of the linearizable partitions go through: the
	// coverage of the model's transition table.
	Edges map[Edge]int
}

// Edge is a change of a task's state word.
type Edge struct {
	Kind     model.Kind
	From, To model.TaskState
}

// Check checks that t is linearizable with respect to model.Spec, the
// sequential specification of the fixed library and kernel, partition by
// partition. With a timeout > 0, a partition that takes longer is Unknown,
// and so is the trace unless another partition is NotLinearizable.
func Check(t Trace, timeout time.Duration) (Result, error) {
	cv, err := newConverter(t)
	if err != nil {
		return Result{}, err
	}
	ops, parts, err := cv.operations(t)
	if err != nil {
		return Result{}, err
	}
	pm := cv.porcupineModel()
	res := Result{Verdict: Linearizable, Model: pm, Edges: map[Edge]int{}}
	var all []porcupine.Operation
	for _, p := range parts {
		var history []porcupine.Operation
		for _, i := range p.ops {
			history = append(history, ops[i])
		}
		all = append(all, history...)
		r, info := porcupine.CheckOperationsVerbose(pm, history, timeout)
		pr := Partition{Name: p.name, Ops: len(history)}
		switch r {
		case porcupine.Ok:
			pr.Verdict = Linearizable
			cv.cover(history, info, res.Edges)
		case porcupine.Illegal:
			pr.Verdict = NotLinearizable
			pr.Unplaced = unplaced(pm, history, info)
		default:
			pr.Verdict = Unknown
		}
		res.Partitions = append(res.Partitions, pr)
	}
	for _, p := range res.Partitions {
		switch {
		case p.Verdict == NotLinearizable:
			res.Verdict = NotLinearizable
		case p.Verdict == Unknown && res.Verdict == Linearizable:
			res.Verdict = Unknown
		}
	}
	// One combined check for the visualization: partitioned by the
	// model's Partition, with the same verdict.
	pm.Partition = func(h []porcupine.Operation) [][]porcupine.Operation {
		byName := map[string][]porcupine.Operation{}
		var names []string
		for _, op := range h {
			n := cv.partitionOf(op.Input.(model.SpecOp).Thread)
			if _, ok := byName[n]; !ok {
				names = append(names, n)
			}
			byName[n] = append(byName[n], op)
		}
		var out [][]porcupine.Operation
		for _, n := range names {
			out = append(out, byName[n])
		}
		return out
	}
	res.Model = pm
	_, res.Info = porcupine.CheckOperationsVerbose(pm, all, timeout)
	return res, nil
}

// unplaced lists the operations of history outside the longest partial
// linearization porcupine found.
func unplaced(pm porcupine.Model, history []porcupine.Operation, info porcupine.LinearizationInfo) []string {
	placed := map[int]bool{}
	best := 0
	for _, part := range info.PartialLinearizations() {
		for _, lin := range part {
			if len(lin) > best {
				best = len(lin)
				placed = map[int]bool{}
				for _, i := range lin {
					placed[i] = true
				}
			}
		}
	}
	var out []string
	for i, op := range history {
		if !placed[i] {
			out = append(out, fmt.Sprintf("[%d, %d] %s", op.Call, op.Return, pm.DescribeOperation(op.Input, op.Output)))
		}
	}
	return out
}

// converter maps a trace's names to the indices model.Spec works with.
type converter struct {
	tasks      map[string]int8
	taskNames  []string
	groups     map[string]int8
	groupNames []string
	partition  []string // per task: its partition
	spec       *model.Spec
}

func newConverter(t Trace) (*converter, error) {
	if len(t.Header.Tasks) > model.MaxThreads {
		return nil, &Error{Line: 1, Field: "tasks", Msg: fmt.Sprintf("%d tasks: the checker handles at most %d", len(t.Header.Tasks), model.MaxThreads)}
	}
	if len(t.Header.Groups) > model.MaxGroups {
		return nil, &Error{Line: 1, Field: "groups", Msg: fmt.Sprintf("%d groups: the checker handles at most %d", len(t.Header.Groups), model.MaxGroups)}
	}
	cv := &converter{tasks: map[string]int8{}, groups: map[string]int8{}, taskNames: t.Header.Tasks}
	for i, n := range t.Header.Tasks {
		cv.tasks[n] = int8(i)
	}
	// Groups a create_group op returns are created during the trace, in
	// the order of those ops; the others exist from the start.
	created := map[string]bool{}
	var createdOrder []string
	for _, op := range t.Ops {
		if op.Kind == OpCreateGroup && op.Ret.Kind == RetName && !created[op.Ret.Name] {
			created[op.Ret.Name] = true
			createdOrder = append(createdOrder, op.Ret.Name)
		}
	}
	for _, n := range t.Header.Groups {
		if !created[n] {
			cv.groups[n] = int8(len(cv.groupNames))
			cv.groupNames = append(cv.groupNames, n)
		}
	}
	pre := len(cv.groupNames)
	for _, n := range createdOrder {
		cv.groups[n] = int8(len(cv.groupNames))
		cv.groupNames = append(cv.groupNames, n)
	}
	sp, err := model.NewSpec(len(t.Header.Tasks), len(cv.groupNames), pre)
	if err != nil {
		return nil, err
	}
	cv.spec = sp
	cv.partition = make([]string, len(t.Header.Tasks))
	for i := range cv.partition {
		cv.partition[i] = "core tasks"
	}
	seen := make([]bool, len(t.Header.Tasks))
	for _, op := range t.Ops {
		i := cv.tasks[op.Thread]
		if seen[i] {
			continue
		}
		if (op.Kind == OpRegisterWorker || op.Kind == OpRegisterServer) && op.Args.Group != "" {
			cv.partition[i] = "group " + op.Args.Group
			seen[i] = true
		}
	}
	// A group created during the trace depends on its creator: check the
	// creator's partition and the group's together.
	for _, op := range t.Ops {
		if op.Kind != OpCreateGroup || op.Ret.Kind != RetName {
			continue
		}
		from, to := "group "+op.Ret.Name, cv.partition[cv.tasks[op.Thread]]
		if from == to {
			continue
		}
		merged := to + " + " + from
		for i, p := range cv.partition {
			if p == from || p == to {
				cv.partition[i] = merged
			}
		}
	}
	return cv, nil
}

func (cv *converter) partitionOf(t int8) string { return cv.partition[t] }

type part struct {
	name string
	ops  []int
}

// operations converts the trace's ops and groups them by partition, in
// the order partitions first appear.
func (cv *converter) operations(t Trace) ([]porcupine.Operation, []part, error) {
	var ops []porcupine.Operation
	index := map[string]int{}
	var parts []part
	for _, op := range t.Ops {
		so, err := cv.specOp(op)
		if err != nil {
			return nil, nil, err
		}
		ret := op.Return
		ops = append(ops, porcupine.Operation{ClientId: int(so.Thread), Input: so, Call: op.Call, Output: so, Return: ret})
		name := cv.partition[so.Thread]
		k, ok := index[name]
		if !ok {
			k = len(parts)
			index[name] = k
			parts = append(parts, part{name: name})
		}
		parts[k].ops = append(parts[k].ops, len(ops)-1)
	}
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].name < parts[b].name })
	return ops, parts, nil
}

// specOp converts one op.
func (cv *converter) specOp(op Op) (model.SpecOp, error) {
	so := model.SpecOp{Thread: cv.tasks[op.Thread], Arg: model.None}
	switch op.Kind {
	case OpBlock:
		so.Event = model.EventBlock
		return so, nil
	case OpUnblock:
		so.Event = model.EventUnblock
		return so, nil
	case OpPreempt:
		so.Event = model.EventPreempt
		return so, nil
	}
	c, ok := model.ParseCall(op.Kind.String())
	if !ok {
		return so, fmt.Errorf("op %s has no call in the model", op.Kind)
	}
	so.Call = c
	switch op.Phase {
	case PhaseRequest:
		so.Phase = model.Request
	case PhaseFollowup:
		so.Phase = model.Followup
	}
	switch {
	case op.Args.Group != "":
		so.Arg = cv.groups[op.Args.Group]
	case op.Args.Worker != "":
		so.Arg = cv.tasks[op.Args.Worker]
	case op.Args.Next != "":
		so.Arg = cv.tasks[op.Args.Next]
	case op.Args.Task != "":
		so.Arg = cv.tasks[op.Args.Task]
	}
	if so.Phase == model.Request {
		return so, nil
	}
	switch op.Ret.Kind {
	case RetInt:
		so.Ret = int16(op.Ret.Int)
		if op.Ret.Int < -32768 || op.Ret.Int > 32767 {
			so.Ret = -32768 // cannot match anything the model returns
		}
	case RetName:
		switch c {
		case model.CallCreateGroup:
			so.Ret = int16(cv.groups[op.Ret.Name]) + 1
		case model.CallGetTaskState:
			st, ok := parseState(op.Ret.Name)
			if !ok {
				return so, fmt.Errorf("state %q is not a v0.1 state", op.Ret.Name)
			}
			so.Ret = int16(st)
		default:
			so.Ret = int16(cv.tasks[op.Ret.Name]) + 1
		}
	}
	so.Errno = model.Errno(op.Errno)
	if op.Errno > 127 || op.Errno < -128 {
		so.Errno = 127 // no such errno in the model: cannot match
	}
	return so, nil
}

func parseState(s string) (model.TaskState, bool) {
	base, flag, hasFlag := strings.Cut(s, "|")
	for st := model.StateNone; st <= model.StateUnblocked; st++ {
		if st.String() == base {
			if hasFlag {
				if flag != "WAKEUP_QUEUED" {
					return 0, false
				}
				st |= model.FlagWakeupQueued
			}
			return st, true
		}
	}
	return 0, false
}

// porcupineModel wraps model.Spec for porcupine: states are *model.State
// values that Step never changes.
func (cv *converter) porcupineModel() porcupine.Model {
	sp := cv.spec
	return porcupine.Model{
		Init: func() interface{} {
			s := sp.Init()
			return &s
		},
		Step: func(state, input, output interface{}) (bool, interface{}) {
			next := *state.(*model.State)
			ok := sp.Apply(&next, input.(model.SpecOp))
			return ok, &next
		},
		Equal: func(a, b interface{}) bool {
			var ba, bb [model.EncodedSize]byte
			return string(a.(*model.State).AppendEncoding(ba[:0])) == string(b.(*model.State).AppendEncoding(bb[:0]))
		},
		Hash: func(state interface{}) uint64 { return state.(*model.State).Fingerprint() },
		DescribeOperation: func(input, output interface{}) string {
			return cv.describe(input.(model.SpecOp))
		},
		DescribeState: func(state interface{}) string {
			return cv.describeState(state.(*model.State))
		},
	}
}

func (cv *converter) name(t int8) string {
	if t < 0 || int(t) >= len(cv.taskNames) {
		return "UMCG_NONE"
	}
	return cv.taskNames[t]
}

func (cv *converter) describe(op model.SpecOp) string {
	th := cv.name(op.Thread)
	switch op.Event {
	case model.EventBlock:
		return th + ": block"
	case model.EventUnblock:
		return th + ": unblock"
	case model.EventPreempt:
		return th + ": preempt"
	}
	arg := ""
	switch op.Call {
	case model.CallRegisterWorker, model.CallRegisterServer, model.CallDestroyGroup:
		if op.Arg >= 0 && int(op.Arg) < len(cv.groupNames) {
			arg = cv.groupNames[op.Arg]
		} else {
			arg = "UMCG_NONE"
		}
	case model.CallRunWorker, model.CallWake, model.CallSwap, model.CallGetTaskState:
		arg = cv.name(op.Arg)
	}
	s := fmt.Sprintf("%s: %s(%s)", th, op.Call, arg)
	switch op.Phase {
	case model.Request:
		return s + " request"
	case model.Followup:
		s = fmt.Sprintf("%s: %s followup", th, op.Call)
	}
	return s + " -> " + cv.retString(op.Call, op.Ret) + fmt.Sprintf(" errno %d", op.Errno)
}

func (cv *converter) retString(c model.Call, ret int16) string {
	switch c {
	case model.CallRegisterCore, model.CallRegisterWorker, model.CallRegisterServer, model.CallPollWorker, model.CallRunWorker:
		if ret == 0 {
			return "UMCG_NONE"
		}
		return cv.name(int8(ret - 1))
	case model.CallCreateGroup:
		if ret > 0 && int(ret) <= len(cv.groupNames) {
			return cv.groupNames[ret-1]
		}
	case model.CallGetTaskState:
		return model.TaskState(ret).String()
	}
	return fmt.Sprint(ret)
}

func (cv *converter) describeState(s *model.State) string {
	var parts []string
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind == model.KindNone && th.Fn == model.CallNone && th.Sleep == model.Awake {
			continue
		}
		p := fmt.Sprintf("%s %s %s", cv.taskNames[i], th.Kind, th.Word)
		if th.Sleep != model.Awake {
			p += " sleeps in " + th.Sleep.String()
			if th.Wake != model.WakeNone {
				p += " (woken)"
			}
		}
		if th.Peer >= 0 {
			p += " linked to " + cv.name(th.Peer)
		}
		parts = append(parts, p)
	}
	for g := 0; g < int(s.G) && g < len(cv.groupNames); g++ {
		gr := &s.Grp[g]
		var q []string
		for _, t := range gr.Waiters[:gr.NWait] {
			q = append(q, cv.name(t))
		}
		parts = append(parts, fmt.Sprintf("%s waiters [%s]", cv.groupNames[g], strings.Join(q, " ")))
	}
	if len(parts) == 0 {
		return "nothing registered"
	}
	return strings.Join(parts, "; ")
}

// cover replays the longest linearization of a linearizable partition on
// the specification and counts the state-word edges it goes through.
func (cv *converter) cover(history []porcupine.Operation, info porcupine.LinearizationInfo, edges map[Edge]int) {
	var best []int
	for _, part := range info.PartialLinearizations() {
		for _, lin := range part {
			if len(lin) > len(best) {
				best = lin
			}
		}
	}
	s := cv.spec.Init()
	for _, i := range best {
		before := s
		if !cv.spec.Apply(&s, history[i].Input.(model.SpecOp)) {
			return
		}
		for t := 0; t < int(s.N); t++ {
			b, a := &before.T[t], &s.T[t]
			if b.Word == a.Word || (b.Kind == model.KindNone && a.Kind == model.KindNone) {
				continue
			}
			k := a.Kind
			if k == model.KindNone {
				k = b.Kind
			}
			edges[Edge{k, b.Word, a.Word}]++
		}
	}
}
