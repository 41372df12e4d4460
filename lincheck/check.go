// Package lincheck checks that a trace (package traces) is linearizable
// with respect to the sequential specification of the protocol its header
// names: UMCG v0.1's, umcg01.Spec (the fixed library and kernel one call
// at a time, checked group by group), or another protocol's Spec
// (umcg-2023's). It uses porcupine; the trace format itself depends on
// neither.
package lincheck

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
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
// a set of tasks that name one another or share groups (one group's
// servers and workers, or core tasks that wake or swap to one another).
type Partition struct {
	Name    string  // "group g1", "group g1 + group g2", "core tasks", or "core tasks c1,c2" when there are several
	Ops     int     // operations in the partition
	Verdict Verdict // of this partition
	// Unplaced lists, for a partition that is not linearizable, the first
	// operations (in call order, at most MaxUnplaced) that the longest
	// partial linearization found could not place; MoreUnplaced counts
	// the others.
	Unplaced     []string
	MoreUnplaced int
}

// MaxUnplaced bounds Partition.Unplaced: the first operations that could
// not be placed say where a failure is; the thousands after them on a
// long trace say nothing more.
const MaxUnplaced = 10

// Result is the outcome of Check.
type Result struct {
	Verdict    Verdict
	Partitions []Partition
	// Model and Info let Visualize draw porcupine's view of the check.
	Model porcupine.Model
	Info  porcupine.LinearizationInfo
	// Rows names the task each of the visualization's rows (porcupine's
	// client ids) draws: one row per task, partition after partition.
	Rows []string
	// Edges counts the state-word edges (per task kind) the
	// linearizations of the linearizable partitions go through: the
	// coverage of the model's transition table (with Options.Coverage).
	Edges map[Edge]int
}

// Edge is a change of a task's state word.
type Edge struct {
	Kind     model.Kind
	From, To model.TaskState
}

// Check checks that t is linearizable with respect to its protocol's
// specification. For v0.1 that is model.Spec, the
// sequential specification of the fixed library and kernel, partition by
// partition: tasks that never name each other (in arguments or results)
// and share no group are independent, and each connected set is checked
// on its own specification. With a timeout > 0, a partition that takes
// longer is Unknown, and so is the trace unless another partition is
// NotLinearizable.
func Check(t traces.Trace, timeout time.Duration) (Result, error) {
	return CheckWith(t, Options{Timeout: timeout})
}

// Options tune CheckWith.
type Options struct {
	Timeout time.Duration // per partition; 0: none
	// Visualize also runs the combined check that Result.Info needs for
	// porcupine.Visualize (it doubles the work, and porcupine's search
	// keeps a set over the whole history per state: quadratic).
	Visualize bool
	// Coverage fills Result.Edges (it keeps how each configuration of the
	// search was reached, a few bytes per configuration).
	Coverage bool
	// wholePartitions checks each partition with porcupine in one go,
	// without cutting it: the reference the cuts are tested against.
	wholePartitions bool
	// concreteQueues turns off the queue blocks (queues.go): the
	// reference they are tested against.
	concreteQueues bool
}

// CheckWith is Check with options.
func CheckWith(t traces.Trace, o Options) (Result, error) {
	sp, err := specFor(t.Header)
	if err != nil {
		return Result{}, err
	}
	if sp != nil {
		e := expand(t, sp.Vocabulary)
		res, err := checkSpec(e.t, sp, o)
		return res, e.fileLine(err)
	}
	t = expand(t, model.Vocabulary()).t
	timeout := o.Timeout
	parts, err := partitionTrace(t)
	if err != nil {
		return Result{}, err
	}
	res := Result{Verdict: Linearizable, Edges: map[Edge]int{}}
	// Partitions are independent: check them on all cores, each result
	// in its own slot so the report does not depend on scheduling.
	results := make([]Partition, len(parts))
	edges := make([]map[Edge]int, len(parts))
	histories := make([][]porcupine.Operation, len(parts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for pi, p := range parts {
		histories[pi] = p.history(pi)
		p.concreteQueues = o.concreteQueues
		wg.Add(1)
		go func(pi int, p *converter) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			history := histories[pi]
			if o.wholePartitions {
				results[pi], edges[pi] = p.checkWhole(history, timeout, o.Coverage)
			} else {
				results[pi], edges[pi] = p.checkPieces(history, timeout, o.Coverage)
			}
		}(pi, p)
	}
	wg.Wait()
	var all []porcupine.Operation
	for pi := range parts {
		// Each partition numbers its tasks from 0: in the combined
		// history, each task gets a row of its own.
		if o.Visualize {
			for _, op := range histories[pi] {
				op.ClientId += len(res.Rows)
				all = append(all, op)
			}
		}
		res.Rows = append(res.Rows, parts[pi].taskNames...)
		for e, n := range edges[pi] {
			res.Edges[e] += n
		}
	}
	res.Partitions = results
	for _, p := range res.Partitions {
		switch {
		case p.Verdict == NotLinearizable:
			res.Verdict = NotLinearizable
		case p.Verdict == Unknown && res.Verdict == Linearizable:
			res.Verdict = Unknown
		}
	}
	// One combined model for the visualization: the state starts nil and
	// becomes the specification state of the partition the first
	// operation belongs to.
	res.Model = combinedModel(parts)
	if o.Visualize {
		_, res.Info = porcupine.CheckOperationsVerbose(res.Model, all, timeout)
	}
	return res, nil
}

// specInput is a porcupine input: an operation of one partition.
type specInput struct {
	part int
	op   model.SpecOp
	seq  int32 // the op's place among its thread's ops (0, 1, ...)
}

// partState is a porcupine state: a partition's specification state, and
// how many ops of each thread are linearized. The counts enforce program
// order: a thread's op is placed only after all its earlier ops, even
// when times tie and porcupine, which orders a call before a return at
// the same time, would take them as concurrent. The counts follow from
// which ops are linearized, so they add no states to the search. Both are
// sized to the partition: the state as its encoding, the counts one per
// task.
type partState struct {
	part int
	enc  string // model.State.AppendEncoding
	done []int32
}

// state is ps's specification state.
func (ps *partState) state() model.State {
	var s model.State
	if !s.Decode([]byte(ps.enc)) {
		panic("lincheck: a porcupine state does not decode")
	}
	return s
}

// combinedModel is the porcupine model of every partition of a trace: its
// Partition function splits a history by the partition each input names.
func combinedModel(parts []*converter) porcupine.Model {
	return specModel(len(parts), func(i int) *converter { return parts[i] })
}

func specModel(n int, part func(int) *converter) porcupine.Model {
	pm := porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			out := make([][]porcupine.Operation, n)
			for _, op := range h {
				i := op.Input.(specInput).part
				out[i] = append(out[i], op)
			}
			var keep [][]porcupine.Operation
			for _, o := range out {
				if len(o) > 0 {
					keep = append(keep, o)
				}
			}
			return keep
		},
		Init: func() interface{} { return (*partState)(nil) },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			in := input.(specInput)
			return part(in.part).step(state.(*partState), in)
		},
		Equal: func(a, b interface{}) bool { return stateEqual(a.(*partState), b.(*partState)) },
		Hash:  func(state interface{}) uint64 { return stateHash(state.(*partState)) },
		DescribeOperation: func(input, output interface{}) string {
			in := input.(specInput)
			return part(in.part).describe(in.op)
		},
		DescribeState: func(state interface{}) string {
			ps := state.(*partState)
			if ps == nil {
				return "nothing registered"
			}
			s := ps.state()
			return part(ps.part).describeState(&s)
		},
	}
	return pm
}

func stateEqual(a, b *partState) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.part == b.part && slices.Equal(a.done, b.done) && a.enc == b.enc
}

func stateHash(a *partState) uint64 {
	if a == nil {
		return 0
	}
	return encHash(a.enc) ^ uint64(a.part)
}

// step applies an operation to a copy of the state; porcupine states are
// never changed.
func (cv *converter) step(state *partState, in specInput) (bool, interface{}) {
	next := &partState{part: in.part}
	var s model.State
	if state == nil {
		s = cv.spec.Init()
		next.done = make([]int32, len(cv.taskNames))
	} else {
		s = state.state()
		next.done = slices.Clone(state.done)
	}
	t := in.op.Thread
	if next.done[t] != in.seq {
		next.enc = string(s.AppendEncoding(nil))
		return false, next // an earlier op of the thread is not placed yet
	}
	next.done[t]++
	ok := cv.spec.Apply(&s, in.op)
	next.enc = string(s.AppendEncoding(nil))
	return ok, next
}

// porcupineModel is the model of this partition alone.
func (cv *converter) porcupineModel() porcupine.Model {
	m := specModel(1, func(int) *converter { return cv })
	m.Partition = nil
	return m
}

// converter maps one partition's names to the indices its model.Spec
// works with.
type converter struct {
	name       string // "group g1", "core tasks", "group g1 + group g2", ...
	tasks      map[string]int8
	taskNames  []string
	groups     map[string]int8
	groupNames []string
	pre        int // groups that exist from the start (the first pre)
	spec       *model.Spec
	ops        []traces.Op
	traceIdx   []int // each op's index in the trace
	// concreteQueues searches states whose queues have one order each
	// (queues.go): the reference the blocks are tested against.
	concreteQueues bool
}

// partitionTrace splits t into independent partitions: tasks are joined
// when one names the other (in an argument or a result), when they
// register in the same group, and when one creates a group the other
// uses. Partitions come in the order of their first operation.
func partitionTrace(t traces.Trace) ([]*converter, error) {
	// Union-find over tasks, with each group represented by a pseudo-task.
	nt := len(t.Header.Tasks)
	parent := make([]int, nt+len(t.Header.Groups))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	task := map[string]int{}
	for i, n := range t.Header.Tasks {
		task[n] = i
	}
	group := map[string]int{}
	for i, n := range t.Header.Groups {
		group[n] = nt + i
	}
	for _, op := range t.Ops {
		me := task[op.Thread]
		for _, n := range []string{op.Args.Worker, op.Args.Next, op.Args.Task} {
			if n != "" {
				union(me, task[n])
			}
		}
		if op.Args.Group != "" {
			union(me, group[op.Args.Group])
		}
		if op.Ret.Kind == traces.RetName {
			switch callOf(op).Result() {
			case model.ResultGroup:
				union(me, group[op.Ret.Name])
			case model.ResultThread:
				if _, ok := task[op.Ret.Name]; ok {
					union(me, task[op.Ret.Name])
				}
			}
		}
	}
	// Core tasks are joined only by the tasks they name (wake, swap and
	// get_task_state targets): a set of core tasks that never name one
	// another is checked apart from the others, so that a trace may have
	// more core tasks than one specification state holds.
	byRoot := map[int]*converter{}
	var parts []*converter
	count := map[int]int{}
	for _, op := range t.Ops {
		count[find(task[op.Thread])]++
	}
	for i, op := range t.Ops {
		r := find(task[op.Thread])
		cv, ok := byRoot[r]
		if !ok {
			cv = &converter{tasks: map[string]int8{}, groups: map[string]int8{}, ops: make([]traces.Op, 0, count[r])}
			byRoot[r] = cv
			parts = append(parts, cv)
		}
		cv.ops = append(cv.ops, op)
		cv.traceIdx = append(cv.traceIdx, i)
	}
	for i, n := range t.Header.Tasks {
		if cv, ok := byRoot[find(i)]; ok {
			cv.tasks[n] = int8(len(cv.taskNames))
			cv.taskNames = append(cv.taskNames, n)
		}
	}
	for _, cv := range parts {
		root := find(task[cv.ops[0].Thread])
		mine := func(g string) bool { return find(group[g]) == root }
		cv.bindGroups(t, mine)
	}
	// Partitions without groups are "core tasks"; when there are several,
	// each is named by its tasks.
	var core []*converter
	for _, cv := range parts {
		if len(cv.groupNames) == 0 {
			core = append(core, cv)
		}
	}
	for _, cv := range core {
		if len(core) > 1 {
			cv.name = "core tasks " + nameList(cv.taskNames)
		}
	}
	for _, cv := range parts {
		if err := cv.makeSpec(); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// nameList lists names, the first few of a long list.
func nameList(names []string) string {
	const most = 4
	if len(names) <= most {
		return strings.Join(names, ",")
	}
	return fmt.Sprintf("%s,... (%d tasks)", strings.Join(names[:most-1], ","), len(names))
}

// bindGroups sets up a partition's groups (those its tasks use; created
// ones after the others, in the order of their create_group ops) and its
// name.
//
// The specification numbers created groups in the order it creates them,
// so the k-th create_group of the trace's time must bind the k-th number:
// the ops are ordered by call time, then return time, then file order
// (lines of different threads may come in any order in the file). Calls
// that overlap may be linearized in either order; binding the one that
// began first keeps the verdict deterministic.
func (cv *converter) bindGroups(t traces.Trace, mine func(group string) bool) {
	var creates []traces.Op
	for _, op := range cv.ops {
		if callOf(op).Result() == model.ResultGroup && op.Ret.Kind == traces.RetName {
			creates = append(creates, op)
		}
	}
	sort.SliceStable(creates, func(i, j int) bool {
		a, b := creates[i], creates[j]
		if a.Call != b.Call {
			return a.Call < b.Call
		}
		return a.Return < b.Return
	})
	created := map[string]bool{}
	var createdOrder []string
	for _, op := range creates {
		if !created[op.Ret.Name] {
			created[op.Ret.Name] = true
			createdOrder = append(createdOrder, op.Ret.Name)
		}
	}
	var names []string
	for _, g := range t.Header.Groups {
		if mine(g) && !created[g] {
			cv.groups[g] = int8(len(cv.groupNames))
			cv.groupNames = append(cv.groupNames, g)
			names = append(names, "group "+g)
		}
	}
	cv.pre = len(cv.groupNames)
	for _, g := range createdOrder {
		cv.groups[g] = int8(len(cv.groupNames))
		cv.groupNames = append(cv.groupNames, g)
		names = append(names, "group "+g)
	}
	cv.name = "core tasks"
	if len(names) > 0 {
		cv.name = strings.Join(names, " + ")
	}
}

// makeSpec makes the partition's specification, sized to its tasks and
// groups; a partition larger than a specification state holds is an error
// naming the limit.
func (cv *converter) makeSpec() error {
	if len(cv.taskNames) > model.MaxThreads || len(cv.groupNames) > model.MaxGroups {
		return &traces.Error{Line: 1, Field: "tasks", Msg: fmt.Sprintf(
			"%s: %d tasks and %d groups depend on one another (they name one another or share a group), "+
				"and the checker handles at most %d tasks and %d groups that do",
			cv.name, len(cv.taskNames), len(cv.groupNames), model.MaxThreads, model.MaxGroups)}
	}
	sp, err := model.NewSpec(len(cv.taskNames), len(cv.groupNames), cv.pre)
	if err != nil {
		return err
	}
	cv.spec = sp
	return nil
}

// history converts the partition's ops to porcupine operations; each
// carries its place in its thread's program order (the ops of one thread
// are in the file in that order).
func (cv *converter) history(part int) []porcupine.Operation {
	h := make([]porcupine.Operation, 0, len(cv.ops))
	seq := make([]int32, len(cv.taskNames))
	for _, op := range cv.ops {
		in := specInput{part: part, op: cv.specOp(op)}
		in.seq = seq[in.op.Thread]
		seq[in.op.Thread]++
		h = append(h, porcupine.Operation{ClientId: int(in.op.Thread), Input: in, Call: op.Call, Output: in, Return: op.Return})
	}
	return h
}

// specOp converts one op (of the forms expand gives); the reader has
// checked every name.
func (cv *converter) specOp(op traces.Op) model.SpecOp {
	so := model.SpecOp{Thread: cv.tasks[op.Thread], Arg: model.None, Unknown: op.Outcome == traces.OutcomeUnknown}
	if e, ok := model.ParseEvent(op.Kind.String()); ok {
		so.Event = e
		return so
	}
	so.Call = callOf(op)
	switch op.Phase {
	case traces.PhaseRequest:
		so.Phase = model.Request
	case traces.PhaseFollowup:
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
		return so
	}
	switch op.Ret.Kind {
	case traces.RetInt:
		so.Ret = int16(op.Ret.Int)
		if op.Ret.Int < -32768 || op.Ret.Int > 32767 {
			so.Ret = -32768 // cannot match anything the model returns
		}
	case traces.RetName:
		switch so.Call.Result() {
		case model.ResultGroup:
			so.Ret = int16(cv.groups[op.Ret.Name]) + 1
		case model.ResultState:
			st, ok := parseState(op.Ret.Name)
			so.Ret = int16(st)
			if !ok {
				so.Ret = -32768
			}
		default:
			so.Ret = int16(cv.tasks[op.Ret.Name]) + 1
		}
	}
	so.Errno = model.Errno(op.Errno)
	if op.Errno > 127 || op.Errno < -128 {
		so.Errno = 127 // no such errno in the model: cannot match
	}
	if !so.Call.Failed(so.Ret) {
		// errno is unspecified after a success (a C library leaves
		// what an earlier call set): the specification's is 0.
		so.Errno = 0
	}
	return so
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

func (cv *converter) taskName(t int8) string {
	if t < 0 || int(t) >= len(cv.taskNames) {
		return "UMCG_NONE"
	}
	return cv.taskNames[t]
}

func (cv *converter) groupName(g int8) string {
	if g < 0 || int(g) >= len(cv.groupNames) {
		return "UMCG_NONE"
	}
	return cv.groupNames[g]
}

// callOf is the call of a trace op (CallNone for a kernel event); the
// reader has checked its name against umcg01's vocabulary.
func callOf(op traces.Op) model.Call {
	c, _ := model.ParseCall(op.Kind.String())
	return c
}

func (cv *converter) describe(op model.SpecOp) string {
	th := cv.taskName(op.Thread)
	switch op.Event {
	case model.EventBlock, model.EventUnblock, model.EventPreempt:
		return th + ": " + op.Event.String()
	}
	arg := ""
	switch op.Call.Arg() {
	case model.ArgGroup:
		arg = cv.groupName(op.Arg)
	case model.ArgThread:
		arg = cv.taskName(op.Arg)
	}
	s := fmt.Sprintf("%s: %s(%s)", th, op.Call, arg)
	switch op.Phase {
	case model.Request:
		s += " request"
	case model.Followup:
		s = fmt.Sprintf("%s: %s followup", th, op.Call)
	}
	switch {
	case op.Unknown:
		return s + " -> outcome unknown"
	case op.Phase == model.Request:
		return s
	}
	return s + " -> " + cv.retString(op.Call, op.Ret) + fmt.Sprintf(" errno %d", op.Errno)
}

func (cv *converter) retString(c model.Call, ret int16) string {
	name := func(names []string) func(int) string {
		return func(i int) string {
			if i < len(names) {
				return names[i]
			}
			return ""
		}
	}
	return c.FormatRet(ret, name(cv.taskNames), name(cv.groupNames))
}

// describeState says what a specification state holds in the words of
// docs/trace-format.md and docs/semantics.md, for people reading a
// failure (check --html): each registered task's kind and state word
// (RUNNING, RUNNABLE|WAKEUP_QUEUED, ...), the call it sleeps in, the
// server's worker or the worker's server, and each group's queue, which
// holds unblocked workers or polling servers. It names no field of the
// model's State.
func (cv *converter) describeState(s *model.State) string {
	var parts []string
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind == model.KindNone && th.Sleep == model.Awake {
			continue // unregistered and not in a call: nothing to say
		}
		p := cv.taskNames[i] + " " + model.KindWords(th.Kind) + " " + th.Word.String()
		if w := model.PeerWords(th, cv.taskName); w != "" {
			p += ", " + w
		}
		if w := model.SleepWords(th); w != "" {
			p += ", " + w
			if th.Wake != model.WakeNone {
				p += " (woken, not yet returned)"
			}
		}
		parts = append(parts, p)
	}
	for g := 0; g < int(s.G) && g < len(cv.groupNames); g++ {
		if s.Grp[g].Exists {
			parts = append(parts, "queue of "+cv.groupNames[g]+": "+model.QueueWords(s, g, cv.taskName))
		}
	}
	if len(parts) == 0 {
		return "nothing registered"
	}
	return strings.Join(parts, "; ")
}

// cover replays the linearization lin (history indices) of a linearizable
// partition on the specification and counts the state-word edges it goes
// through.
func (cv *converter) cover(history []porcupine.Operation, lin []int, edges map[Edge]int) {
	s := cv.spec.Init()
	for _, i := range lin {
		before := s
		if !cv.spec.Apply(&s, history[i].Input.(specInput).op) {
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

// ranked returns a copy of the partition's history whose times are the
// ranks of its calls and returns in the order porcupine takes them, so
// that the search tries first the orders the trace itself suggests. The
// ranks keep every relation the times give: an op returned before another
// was called exactly when it did in times (calls before returns at equal
// times, as porcupine has it). Only the order within a run of calls with
// no return between them is free, and there the ranks follow a hint:
// porcupine places operations greedily in entry order, so calls that
// overlap are tried in the order of the hint first.
//
// The hint is, for a register_worker request, when the worker is first
// seen taken from the queue (an op of another task that returns it or
// runs it), and otherwise the op's own return: a pool of workers that
// register at once is queued first in the order the servers get them,
// instead of one of the n! orders tried one after the other.
func (cv *converter) ranked(h []porcupine.Operation) []porcupine.Operation {
	seen := map[string]int64{} // a worker's first observation by another task
	for _, op := range cv.ops {
		for _, n := range []string{op.Args.Worker, retTask(op)} {
			if n == "" || n == op.Thread {
				continue
			}
			if t, ok := seen[n]; !ok || op.Return < t {
				seen[n] = op.Return
			}
		}
	}
	hint := make([]int64, len(h))
	for i, op := range cv.ops {
		hint[i] = op.Return
		if t, ok := seen[op.Thread]; ok && op.Phase == traces.PhaseRequest && callOf(op) == model.CallRegisterWorker {
			hint[i] = t
		}
	}
	type event struct {
		t   int64
		ret bool
		i   int
	}
	ev := make([]event, 0, 2*len(h))
	for i, op := range h {
		ev = append(ev, event{op.Call, false, i}, event{op.Return, true, i})
	}
	sort.SliceStable(ev, func(a, b int) bool {
		if ev[a].t != ev[b].t {
			return ev[a].t < ev[b].t
		}
		return !ev[a].ret && ev[b].ret
	})
	for a := 0; a < len(ev); {
		b := a
		for b < len(ev) && !ev[b].ret {
			b++
		}
		run := ev[a:b]
		sort.SliceStable(run, func(x, y int) bool { return hint[run[x].i] < hint[run[y].i] })
		if b == a {
			b++
		}
		a = b
	}
	out := append([]porcupine.Operation(nil), h...)
	for r, e := range ev {
		if e.ret {
			out[e.i].Return = int64(r)
		} else {
			out[e.i].Call = int64(r)
		}
	}
	return out
}

// retTask is the task an op returns, if any.
func retTask(op traces.Op) string {
	if op.Ret.Kind == traces.RetName && callOf(op).Result() == model.ResultThread {
		return op.Ret.Name
	}
	return ""
}
