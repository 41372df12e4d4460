// Package traces defines umcg-trace, the file format of recorded UMCG
// operations, and reads and writes it.
//
// A trace is JSON Lines: line 1 is a [Header], every further line is one
// [Op]. The format knows no protocol: which ops a trace may hold, their
// args and their rets come from the [Vocabulary] of the protocol its
// header names (umcg01.Vocabulary for "umcg-v0.1", the default), which the
// caller passes to the [Reader] and the [Writer]. Checking a trace against
// a protocol's specification is package lincheck's. docs/trace-format.md describes the format line by line, with every
// rule and every error message; schema.json (also [Schema]) is its JSON
// Schema.
//
// The package guarantees, for every trace t:
//
//   - [Reader] accepts t exactly when t follows every rule of the format, and
//     otherwise returns an [*Error] naming the file, the line and the field of
//     the first broken rule;
//   - [Writer] accepts exactly the headers and operations that [Reader]
//     accepts, and writes them in one canonical form;
//   - reading what [Writer] wrote gives back the same values (nil and empty
//     slices count as equal), and writing what [Reader] read gives back the
//     canonical bytes.
package traces

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Constants of the format.
const (
	// Format is the value of the header's "format" field.
	Format = "umcg-trace"
	// Version1 is the first version: the header lists every task and
	// group, and every sleeping call is a request and a followup.
	Version1 = 1
	// Version2 adds a sleeping call recorded as one line, ops of unknown
	// outcome, signals, thread deaths, and names declared where they first
	// appear (docs/trace-format.md, "Version 2").
	Version2 = 2
	// Version is the version producers write when their traces need
	// nothing of a later one; every trace of version 1 reads the same as
	// before version 2 existed.
	Version = Version1
	// LatestVersion is the latest version this package reads and writes;
	// it reads and writes every version from 1 to LatestVersion.
	LatestVersion = Version2
	// ClockNS is the only clock: nanoseconds of CLOCK_MONOTONIC.
	ClockNS = "ns"
	// MaxLineBytes is the longest line a Reader accepts, not counting its
	// newline.
	MaxLineBytes = 1 << 20
	// MaxErrno bounds Op.Errno: -MaxErrno <= Errno <= MaxErrno.
	MaxErrno = 4095
	// MaxSignal bounds Op.Signal: a signal number is in [1, MaxSignal].
	MaxSignal = 64
)

// Died is the op of a thread's death (version 2): the format's own, of
// every protocol, shaped as a kernel event (args {}, ret null, errno 0).
// The thread has no line after it.
const Died OpKind = "died"

// diedSpec is Died's spec, shared by every vocabulary.
var diedSpec = kindSpec{name: string(Died), event: true, ret: RetsNull}

// Outcome says whether an op's result is known.
type Outcome uint8

// Outcomes.
const (
	// OutcomeKnown: the call returned, with Ret and Errno, at Return (for
	// a request: the call took its first effect by Return).
	OutcomeKnown Outcome = iota
	// OutcomeUnknown (version 2): the call was made at Call and its
	// return was never seen (the thread died, the trace was cut): it may
	// have taken effect or not, with any result, as Jepsen's :info. Its
	// Ret is null, its Errno 0 and its Return equal to Call; the line has
	// no ret, errno or return, and it is its thread's last (but for Died).
	OutcomeUnknown
)

// String returns "" for OutcomeKnown and "unknown" for OutcomeUnknown,
// the "outcome" field's value.
func (o Outcome) String() string {
	switch o {
	case OutcomeKnown:
		return ""
	case OutcomeUnknown:
		return "unknown"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Schema is the JSON Schema (draft 2020-12) of one line of a trace of
// version 1 or 2: the header line validates against its $defs/header, every other
// line against its $defs/op. It checks each line on its own; the rules that
// relate lines (names listed in the header, time order, request/followup
// pairing) are the Reader's.
//
//go:embed schema.json
var Schema string

// OpKind is what an operation is: an op name of the trace's protocol (its
// Vocabulary), an API call named without its umcg_ prefix or a kernel
// event, as the "op" field spells it. The empty OpKind is not valid.
type OpKind string

// String returns k as the "op" field spells it.
func (k OpKind) String() string { return string(k) }

// argKey is the one argument an op kind takes, if any: the format's keys
// of "args".
type argKey uint8

const (
	argNone argKey = iota
	argGroup
	argWorker
	argNext
	argTask
)

var argNames = [...]string{"", "group", "worker", "next", "task"}

// Phase says which half of a sleeping call a line records.
type Phase uint8

// Phases.
const (
	// PhaseNone is the phase of a call that cannot sleep and of a kernel
	// event: the whole operation is one line, without a "phase" field.
	PhaseNone Phase = iota
	// PhaseRequest is the first half of a sleeping call: the call was made
	// and took its first effect. Its ret is null and its errno 0.
	PhaseRequest
	// PhaseFollowup is the second half: the call returned, with its ret
	// and errno. It has no args (they are on its request).
	PhaseFollowup
)

// String returns "request", "followup", or "" for PhaseNone.
func (p Phase) String() string {
	switch p {
	case PhaseNone:
		return ""
	case PhaseRequest:
		return "request"
	case PhaseFollowup:
		return "followup"
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}

// Args are an operation's arguments. An op kind uses at most one field,
// its OpSpec.Arg: Group (in v0.1: register_worker, register_server,
// destroy_group), Worker (run_worker), Next (wake, swap) or Task
// (get_task_state); the fields it does not use are "". In the field it uses, "" stands for UMCG_NONE,
// written as JSON null. A followup's Args are all "".
type Args struct {
	Group  string
	Worker string
	Next   string
	Task   string
}

func (a Args) get(k argKey) string {
	switch k {
	case argGroup:
		return a.Group
	case argWorker:
		return a.Worker
	case argNext:
		return a.Next
	case argTask:
		return a.Task
	}
	return ""
}

func (a *Args) set(k argKey, v string) {
	switch k {
	case argGroup:
		a.Group = v
	case argWorker:
		a.Worker = v
	case argNext:
		a.Next = v
	case argTask:
		a.Task = v
	}
}

// RetKind is the JSON type of a return value.
type RetKind uint8

// Return value kinds.
const (
	RetNull RetKind = iota // null: UMCG_NONE, or nothing (requests, events)
	RetInt                 // an integer: the int results of libumcg
	RetName                // a string: a task, a group or a task state
)

// Ret is an operation's return value. Exactly one representation is valid
// per value: a RetNull has Int 0 and Name ""; a RetInt has Name ""; a
// RetName has Int 0 and a non-empty Name. The zero Ret is null.
type Ret struct {
	Kind RetKind
	Int  int64
	Name string
}

// IntRet returns the Ret of the integer n.
func IntRet(n int64) Ret { return Ret{Kind: RetInt, Int: n} }

// NameRet returns the Ret of the name s (a task, a group or a task state).
func NameRet(s string) Ret { return Ret{Kind: RetName, Name: s} }

// String returns r as its JSON text: null, an integer, or a quoted string.
func (r Ret) String() string {
	switch r.Kind {
	case RetNull:
		return "null"
	case RetInt:
		return strconv.FormatInt(r.Int, 10)
	}
	return strconv.Quote(r.Name)
}

// short is String for error messages: names are shortened.
func (r Ret) short() string {
	if r.Kind == RetName {
		return quote(r.Name)
	}
	return r.String()
}

// quote quotes s for an error message, shortened to 40 bytes, so that the
// message stays one short line.
func quote(s string) string { return strconv.Quote(clip(s)) }

// Header is line 1 of a trace.
type Header struct {
	// Version is the format version: Version1 or Version2.
	Version int
	// Protocol names the protocol whose ops the trace records, the
	// Vocabulary it is read with; "" (no "protocol" field) is
	// DefaultProtocol.
	Protocol string
	// Source is free text naming the producer ("emu", "kernel", "model").
	Source string
	// Clock is the unit of Op.Call and Op.Return; ClockNS is the only one.
	Clock string
	// Tasks lists every thread name the trace may use: each op's thread,
	// args naming a thread, and task names returned. Unique, non-empty.
	// In version 2 it may be partial or empty: a name it does not list is
	// declared where it first appears (Vocabulary.Names lists them all).
	Tasks []string
	// Groups lists every group name the trace may use (in version 2, may
	// be partial). Unique, non-empty. Tasks and groups are separate
	// namespaces.
	Groups []string
}

// Op is one line of a trace after the header: a whole API call, one half
// (Phase) of a sleeping call, or a kernel event.
//
// Op values are comparable with ==.
type Op struct {
	// Thread is the calling task's name; for a kernel event, the affected
	// worker's.
	Thread string
	Kind   OpKind
	Phase  Phase
	Args   Args
	Ret    Ret
	// Errno is errno after the call: 0, a Linux errno, or a negative value
	// (the seed libumcg can store -1 into errno). After a call that
	// succeeded it is whatever the C library left (checkers ignore it).
	Errno int
	// Outcome is OutcomeUnknown for a call whose return was never seen
	// (version 2).
	Outcome Outcome
	// Signal is the number of a signal delivered to the thread during
	// the call (version 2), 0 for none recorded: on a whole call or a
	// followup, never on a request or an event.
	Signal int
	// Call and Return bound the operation in time, in nanoseconds of
	// CLOCK_MONOTONIC: 0 <= Call <= Return.
	Call   int64
	Return int64
}

// Trace is a whole trace: its header and its operations in file order.
type Trace struct {
	Header Header
	Ops    []Op
}

// Error is a broken rule of the format: the file, the 1-based line and the
// field the rule is about. Field is a JSON key ("ret"), a path into the
// line ("args.worker", "tasks[2]"), or "" when the rule is about the line
// as a whole (invalid JSON, a truncated or too long line, a read error).
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
	err   error // the underlying read error, if any
}

// Error returns "FILE:LINE: FIELD: MSG". A part that is empty (File, Field)
// or zero (Line) is left out with its separator, so errors of the Writer
// and of Validate, which have no file, read "LINE: FIELD: MSG" or
// "FIELD: MSG". The text is always one line.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the read error behind e, or nil.
func (e *Error) Unwrap() error { return e.err }

func errf(field, msg string) *Error { return &Error{Field: field, Msg: msg} }

// checkName checks a name used as a task or group.
func checkName(field, s string) *Error {
	if s == "" {
		return errf(field, "empty name")
	}
	if !utf8.ValidString(s) {
		return errf(field, "name is not valid UTF-8")
	}
	return nil
}

// Validate checks h on its own: Version is 1 or 2, Clock is ClockNS,
// Protocol is valid UTF-8 (whether it is known is the Reader's and the
// Writer's check), Source is non-empty, and Tasks and Groups hold
// non-empty, distinct, valid UTF-8 names. It returns nil or an *Error with
// Line 1 and no File.
func (h Header) Validate() error {
	if err := h.validate(); err != nil {
		err.Line = 1
		return err
	}
	return nil
}

// unsupportedVersion is the error of a version this package does not read.
func unsupportedVersion(v string) *Error {
	return errf("version", "unsupported version "+v+": this reader reads versions 1 and 2")
}

func (h Header) validate() *Error {
	if h.Version < Version1 || h.Version > LatestVersion {
		return unsupportedVersion(strconv.Itoa(h.Version))
	}
	if h.Clock != ClockNS {
		return errf("clock", "unsupported clock "+quote(h.Clock)+`: the format has "ns" only`)
	}
	if !utf8.ValidString(h.Protocol) {
		return errf("protocol", "not valid UTF-8")
	}
	if h.Source == "" {
		return errf("source", "empty source: name the producer")
	}
	if !utf8.ValidString(h.Source) {
		return errf("source", "not valid UTF-8")
	}
	for _, l := range []struct {
		field string
		names []string
	}{{"tasks", h.Tasks}, {"groups", h.Groups}} {
		seen := make(map[string]bool, len(l.names))
		for i, n := range l.names {
			f := l.field + "[" + strconv.Itoa(i) + "]"
			if err := checkName(f, n); err != nil {
				return err
			}
			if seen[n] {
				return errf(f, "duplicate name "+quote(n))
			}
			seen[n] = true
		}
	}
	return nil
}

// Validate checks op on its own, as an op of vocabulary v in a trace of
// the latest version, without the header and the lines around it: every
// rule of docs/trace-format.md that one line can break (those of the JSON
// Schema, and call <= return, which a schema cannot express), plus the
// canonical representation of Args, Ret and an unknown outcome. It
// returns nil or an *Error with no File and no Line.
//
// The rules that need the header and the other lines (the forms version 1
// lacks, names listed in the header, request/followup pairing, time order
// per thread) are checked by Reader.Next and Writer.WriteOp.
func (op Op) Validate(v *Vocabulary) error {
	if err := op.validate(v, LatestVersion); err != nil {
		return err
	}
	return nil
}

func (op Op) validate(v *Vocabulary, version int) *Error {
	if err := checkName("thread", op.Thread); err != nil {
		return err
	}
	spec := v.lookup(op.Kind, version)
	if spec == nil {
		return errf("op", "unknown op "+strconv.Quote(op.Kind.String()))
	}
	return op.validateAs(v, spec, version)
}

// validateAs is validate for an op whose thread is checked and whose kind
// is spec.
func (op Op) validateAs(v *Vocabulary, spec *kindSpec, version int) *Error {
	switch op.Phase {
	case PhaseNone:
		if spec.sleeps && version < Version2 {
			return errf("phase", "missing field: "+spec.name+` can sleep, so it is recorded as a "request" line and a "followup" line`)
		}
	case PhaseRequest, PhaseFollowup:
		if !spec.sleeps {
			return errf("phase", spec.name+" cannot sleep: its line has no phase field")
		}
	default:
		return errf("phase", "unknown phase "+strconv.Quote(op.Phase.String()))
	}
	if err := op.validateArgs(spec); err != nil {
		return err
	}
	if err := op.validateOutcome(spec, version); err != nil {
		return err
	}
	if err := op.validateRet(v, spec); err != nil {
		return err
	}
	if op.Errno < -MaxErrno || op.Errno > MaxErrno {
		return errf("errno", "out of range: "+strconv.Itoa(op.Errno)+" is not in [-4095, 4095]")
	}
	if op.Errno != 0 {
		if op.Phase == PhaseRequest {
			return errf("errno", "a request's errno must be 0 (the call's errno is its followup's)")
		}
		if spec.event {
			return errf("errno", "a kernel event's errno must be 0")
		}
	}
	if op.Call < 0 {
		return errf("call", "negative time "+strconv.FormatInt(op.Call, 10))
	}
	if op.Return < 0 {
		return errf("return", "negative time "+strconv.FormatInt(op.Return, 10))
	}
	if op.Return < op.Call {
		return errf("return", "return "+strconv.FormatInt(op.Return, 10)+" is before call "+strconv.FormatInt(op.Call, 10))
	}
	if op.Outcome == OutcomeUnknown && op.Return != op.Call {
		return errf("return", "an op of unknown outcome has no return (its Return is its Call)")
	}
	return nil
}

// validateOutcome checks Outcome and Signal: the fields of version 2.
func (op Op) validateOutcome(spec *kindSpec, version int) *Error {
	switch {
	case op.Outcome == OutcomeKnown:
	case op.Outcome != OutcomeUnknown:
		return errf("outcome", "unknown outcome "+strconv.Quote(op.Outcome.String()))
	case version < Version2:
		return errf("outcome", "unknown field: version 1 has no outcome (write version 2)")
	case spec.event:
		return errf("outcome", "a kernel event has no outcome")
	case op.Phase == PhaseRequest:
		return errf("outcome", "a request has no outcome: a request that no followup follows is a call whose return was not seen")
	case op.Phase == PhaseFollowup:
		return errf("outcome", "a followup records the return, so its outcome is known: leave the request without followup instead")
	case op.Ret.Kind != RetNull || op.Ret.Int != 0 || op.Ret.Name != "":
		return errf("ret", "an op of unknown outcome has no ret")
	case op.Errno != 0:
		return errf("errno", "an op of unknown outcome has no errno")
	}
	switch {
	case op.Signal == 0:
	case version < Version2:
		return errf("signal", "unknown field: version 1 has no signal (write version 2)")
	case op.Signal < 1 || op.Signal > MaxSignal:
		return errf("signal", "out of range: "+strconv.Itoa(op.Signal)+" is not in [1, 64]")
	case spec.event:
		return errf("signal", "a kernel event has no signal")
	case op.Phase == PhaseRequest:
		return errf("signal", "a request has no signal: a signal during the sleep is its followup's")
	}
	return nil
}

func (op Op) validateArgs(spec *kindSpec) *Error {
	for k := argGroup; k <= argTask; k++ {
		v := op.Args.get(k)
		if v == "" {
			continue
		}
		f := "args." + argNames[k]
		if op.Phase == PhaseFollowup {
			return errf(f, "a followup has no args (they are on its request)")
		}
		if k != spec.arg {
			return errf(f, "unknown field: "+spec.name+" "+argsPhrase(spec))
		}
		if !utf8.ValidString(v) {
			return errf(f, "name is not valid UTF-8")
		}
	}
	return nil
}

// argsPhrase says which args a kind takes, for error messages.
func argsPhrase(spec *kindSpec) string {
	if spec.arg == argNone {
		return "takes no args"
	}
	return `takes only "` + argNames[spec.arg] + `"`
}

// retPhrase says which rets a complete line of a kind may have.
func retPhrase(s RetSet) string {
	var parts []string
	if s&RetsTask != 0 {
		parts = append(parts, "a task name")
	}
	if s&RetsGroup != 0 {
		parts = append(parts, "a group name")
	}
	if s&RetsState != 0 {
		parts = append(parts, "a task state name")
	}
	if s&RetsInt != 0 {
		parts = append(parts, "an integer")
	}
	if s&RetsNull != 0 {
		parts = append(parts, "null")
	}
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " or " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func (op Op) validateRet(v *Vocabulary, spec *kindSpec) *Error {
	r := op.Ret
	switch r.Kind {
	case RetNull:
		if r.Int != 0 || r.Name != "" {
			return errf("ret", "a null Ret has Int 0 and Name \"\"")
		}
	case RetInt:
		if r.Name != "" {
			return errf("ret", "an integer Ret has Name \"\"")
		}
	case RetName:
		if r.Int != 0 {
			return errf("ret", "a name Ret has Int 0")
		}
		if r.Name == "" {
			return errf("ret", "empty name (null is UMCG_NONE)")
		}
		if !utf8.ValidString(r.Name) {
			return errf("ret", "name is not valid UTF-8")
		}
	default:
		return errf("ret", "unknown RetKind "+strconv.Itoa(int(r.Kind)))
	}
	if op.Phase == PhaseRequest {
		if r.Kind != RetNull {
			return errf("ret", "a request's ret must be null (the call's result is its followup's), got "+r.short())
		}
		return nil
	}
	if op.Outcome == OutcomeUnknown {
		return nil // checked by validateOutcome
	}
	if spec.event {
		if r.Kind != RetNull {
			return errf("ret", "a kernel event's ret must be null, got "+r.short())
		}
		return nil
	}
	ok := false
	switch r.Kind {
	case RetNull:
		ok = spec.ret&RetsNull != 0
	case RetInt:
		ok = spec.ret&RetsInt != 0
	case RetName:
		ok = spec.ret&(RetsTask|RetsGroup) != 0 || spec.ret&RetsState != 0 && v.validState(r.Name)
	}
	if !ok {
		if spec.ret&RetsState != 0 && r.Kind == RetName {
			return errf("ret", "unknown task state "+quote(r.Name)+" (want "+v.states.Hint+")")
		}
		return errf("ret", spec.name+" returns "+retPhrase(spec.ret)+", got "+r.short())
	}
	return nil
}

// threadState is what the checker remembers of one thread.
type threadState struct {
	lastReturn  int64
	lastLine    int    // line of the thread's previous op, 0 if none
	pending     OpKind // kind of the pending request, "" if none
	pendingLine int
	unknownLine int // line of the thread's op of unknown outcome, 0 if none
	diedLine    int // line of the thread's death, 0 if none
}

// checker holds the rules that relate a line to the header and to the
// lines before it.
type checker struct {
	voc     *Vocabulary
	version int
	tasks   map[string]bool
	groups  map[string]bool
	created map[string]int // version 2: line of the op that returned each new group
	threads map[string]*threadState
}

func newChecker(h Header, v *Vocabulary) *checker {
	c := &checker{
		voc:     v,
		version: h.Version,
		tasks:   make(map[string]bool, len(h.Tasks)),
		groups:  make(map[string]bool, len(h.Groups)),
		created: map[string]int{},
		threads: make(map[string]*threadState, len(h.Tasks)),
	}
	for _, t := range h.Tasks {
		c.tasks[t] = true
	}
	for _, g := range h.Groups {
		c.groups[g] = true
	}
	return c
}

// add checks op, already valid on its own and of kind spec, against the
// header and the ops before it, and records it if it passes. In version 2
// a name the header does not list is declared by the first line that
// uses it; a line that fails declares nothing.
func (c *checker) add(op Op, spec *kindSpec, line int) *Error {
	type name struct {
		s     string
		group bool
	}
	var declared [3]name
	nd := 0
	use := func(field, n string, group bool) *Error {
		known, msg := c.tasks, "unknown thread %s: not in the header's tasks"
		if group {
			known, msg = c.groups, "unknown group %s: not in the header's groups"
		}
		if n == "" || known[n] {
			return nil
		}
		if c.version < Version2 {
			return errf(field, fmt.Sprintf(msg, quote(n)))
		}
		declared[nd] = name{n, group}
		nd++
		return nil
	}
	if err := use("thread", op.Thread, false); err != nil {
		return err
	}
	if op.Phase != PhaseFollowup && spec.arg != argNone {
		if err := use("args."+argNames[spec.arg], op.Args.get(spec.arg), spec.arg == argGroup); err != nil {
			return err
		}
	}
	newGroup := ""
	if op.Ret.Kind == RetName && op.Phase != PhaseRequest && !spec.event {
		switch {
		case spec.ret&RetsTask != 0:
			if err := use("ret", op.Ret.Name, false); err != nil {
				return err
			}
		case spec.ret&RetsGroup != 0:
			if err := use("ret", op.Ret.Name, true); err != nil {
				return err
			}
			if c.version >= Version2 {
				if l, ok := c.created[op.Ret.Name]; ok {
					return errf("ret", "group "+quote(op.Ret.Name)+" was created already (line "+strconv.Itoa(l)+
						"): a group name names one group; give a group created after destroy_group a new name")
				}
				newGroup = op.Ret.Name
			}
		}
	}
	ts := c.threads[op.Thread]
	if ts == nil {
		ts = &threadState{}
	}
	thread := quote(op.Thread)
	switch {
	case ts.diedLine != 0:
		return errf("thread", "thread "+thread+" died (line "+strconv.Itoa(ts.diedLine)+"): it has no later line")
	case ts.unknownLine != 0 && op.Kind != Died:
		return errf("op", "thread "+thread+" has an op of unknown outcome (line "+strconv.Itoa(ts.unknownLine)+
			`): that op is the thread's last line, but for its death ("died")`)
	case ts.pending != "" && op.Phase != PhaseFollowup && op.Kind != Died:
		return errf("phase", "thread "+thread+" has a pending "+ts.pending.String()+" request (line "+
			strconv.Itoa(ts.pendingLine)+"): its next line must be that request's followup")
	case ts.pending != "" && op.Phase == PhaseFollowup && op.Kind != ts.pending:
		return errf("op", "followup of "+op.Kind.String()+", but the pending request of thread "+thread+
			" (line "+strconv.Itoa(ts.pendingLine)+") is "+ts.pending.String())
	case ts.pending == "" && op.Phase == PhaseFollowup:
		return errf("phase", "followup without a request: thread "+thread+" has no pending "+op.Kind.String()+" request")
	}
	if ts.lastLine != 0 && op.Call < ts.lastReturn {
		return errf("call", "times out of order: call "+strconv.FormatInt(op.Call, 10)+" is before return "+
			strconv.FormatInt(ts.lastReturn, 10)+" of the previous op of thread "+thread+" (line "+strconv.Itoa(ts.lastLine)+")")
	}
	for _, n := range declared[:nd] {
		if n.group {
			c.groups[n.s] = true
		} else {
			c.tasks[n.s] = true
		}
	}
	if newGroup != "" {
		c.created[newGroup] = line
	}
	if c.threads[op.Thread] == nil {
		c.threads[op.Thread] = ts
	}
	ts.lastReturn, ts.lastLine = op.Return, line
	switch {
	case op.Kind == Died:
		ts.diedLine = line
	case op.Outcome == OutcomeUnknown:
		ts.unknownLine = line
	case op.Phase == PhaseRequest:
		ts.pending, ts.pendingLine = op.Kind, line
	default:
		ts.pending, ts.pendingLine = "", 0
	}
	return nil
}
