package traces

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultProtocol is the protocol of a trace whose header has no
// "protocol" field: UMCG as posted in RFC v0.1, the only protocol of the
// format's first traces.
const DefaultProtocol = "umcg-v0.1"

// RetSet is the set of return values a complete line of an op may have.
type RetSet uint8

// Return value sets.
const (
	RetsNull  RetSet = 1 << iota // null: UMCG_NONE
	RetsInt                      // an integer
	RetsTask                     // a name from the header's tasks
	RetsGroup                    // a name from the header's groups
	RetsState                    // a task state name (Vocabulary's States)
)

// OpSpec describes one op of a protocol: an API call (named without its
// umcg_ prefix) or a kernel event.
type OpSpec struct {
	// Name is the op's "op" field.
	Name string
	// Sleeps: the call can sleep, so it is recorded as a request line and
	// a followup line.
	Sleeps bool
	// Event: a kernel event, not an API call: args {}, ret null, errno 0.
	Event bool
	// Arg is the key of the op's one argument in "args": "group" (a name
	// from the header's groups), "worker", "next" or "task" (names from
	// the header's tasks), or "" for none.
	Arg string
	// Ret is the set of rets of a complete line (ignored for events).
	Ret RetSet
}

// States are the task state names a RetsState result may take: one of
// Names, then optionally "|" and a flag, each of Flags at most once and in
// their order.
type States struct {
	Names []string
	Flags []string
	// Hint says what is wanted, for the error about an unknown state
	// ("a v0.1 state name such as ...").
	Hint string
}

// Vocabulary is the set of ops of one protocol: what the Reader accepts
// and the Writer writes for a header naming that protocol. A protocol
// builds its Vocabulary once with NewVocabulary, from its own table of
// calls; this package knows none.
type Vocabulary struct {
	protocol string
	ops      []OpSpec
	specs    []kindSpec
	index    map[OpKind]*kindSpec
	states   States
}

// kindSpec is an OpSpec compiled for the Reader and the Writer.
type kindSpec struct {
	index  int // in the vocabulary's ops
	name   string
	sleeps bool
	event  bool
	arg    argKey
	ret    RetSet
}

// NewVocabulary checks and compiles the ops of a protocol: names non-empty,
// distinct and plain (lower case letters, digits and '_'); Arg one of the
// format's keys; an event that neither sleeps nor takes args; a call that
// returns something.
func NewVocabulary(protocol string, ops []OpSpec, states States) (*Vocabulary, error) {
	if protocol == "" || !utf8.ValidString(protocol) {
		return nil, errors.New("traces: vocabulary: protocol name is empty or not UTF-8")
	}
	v := &Vocabulary{protocol: protocol, ops: append([]OpSpec(nil), ops...), index: make(map[OpKind]*kindSpec, len(ops)), states: states}
	v.states.Names = append([]string(nil), states.Names...)
	v.states.Flags = append([]string(nil), states.Flags...)
	v.specs = make([]kindSpec, len(ops))
	for i, o := range ops {
		bad := func(msg string) error {
			return errors.New("traces: vocabulary " + protocol + ": op " + strconv.Quote(o.Name) + ": " + msg)
		}
		if o.Name == "" || strings.Trim(o.Name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return nil, bad("want a name of lower case letters, digits and _")
		}
		if v.index[OpKind(o.Name)] != nil {
			return nil, bad("duplicate name")
		}
		if OpKind(o.Name) == Died {
			return nil, bad("the name is the format's own (a thread's death)")
		}
		k := argNone
		if o.Arg != "" {
			for a := argGroup; a <= argTask; a++ {
				if argNames[a] == o.Arg {
					k = a
				}
			}
			if k == argNone {
				return nil, bad("unknown arg " + strconv.Quote(o.Arg) + ` (want "group", "worker", "next" or "task")`)
			}
		}
		switch {
		case o.Event && (o.Sleeps || k != argNone):
			return nil, bad("a kernel event neither sleeps nor takes args")
		case !o.Event && o.Ret == 0:
			return nil, bad("empty Ret")
		case o.Ret&RetsState != 0 && len(states.Names) == 0:
			return nil, bad("returns a task state, but the vocabulary has no States")
		}
		ret := o.Ret
		if o.Event {
			ret = RetsNull
		}
		v.specs[i] = kindSpec{index: i, name: o.Name, sleeps: o.Sleeps, event: o.Event, arg: k, ret: ret}
		v.index[OpKind(o.Name)] = &v.specs[i]
	}
	return v, nil
}

// Protocol returns the name of v's protocol, as a header's "protocol"
// field gives it.
func (v *Vocabulary) Protocol() string { return v.protocol }

// Ops returns v's ops, in the protocol's order.
func (v *Vocabulary) Ops() []OpSpec { return append([]OpSpec(nil), v.ops...) }

// Op returns the OpSpec of kind k.
func (v *Vocabulary) Op(k OpKind) (OpSpec, bool) {
	if s := v.index[k]; s != nil {
		return v.ops[s.index], true
	}
	return OpSpec{}, false
}

// States returns the task state names of v.
func (v *Vocabulary) States() States {
	s := v.states
	s.Names = append([]string(nil), s.Names...)
	s.Flags = append([]string(nil), s.Flags...)
	return s
}

// spec returns the compiled spec of k, an op of the protocol, or nil.
func (v *Vocabulary) spec(k OpKind) *kindSpec { return v.index[k] }

// lookup returns the spec of k in a trace of the given version: an op of
// the protocol, or (version 2) the format's Died; nil if k is neither.
func (v *Vocabulary) lookup(k OpKind, version int) *kindSpec {
	if k == Died && version >= Version2 {
		return &diedSpec
	}
	return v.index[k]
}

// Names returns every task and every group t names, t being a valid trace
// of v: the header's lists, then, in order of first appearance in t.Ops,
// the names a version 2 trace declares where it first uses them (threads,
// args, and rets that name a task or a group).
func (v *Vocabulary) Names(t Trace) (tasks, groups []string) {
	tasks = append([]string(nil), t.Header.Tasks...)
	groups = append([]string(nil), t.Header.Groups...)
	for _, d := range v.Declared(t) {
		if d.Group {
			groups = append(groups, d.Name)
		} else {
			tasks = append(tasks, d.Name)
		}
	}
	return tasks, groups
}

// Declaration is a name that a version 2 trace declares where it first
// uses it (its header does not list it), with the ops that use it.
type Declaration struct {
	Name  string
	Group bool  // a group's name; else a task's
	Ops   []int // the indices in Trace.Ops of the ops that name it, each once
}

// Declared returns the names t (a valid trace of v) uses that its header
// does not list, in order of first appearance in t.Ops, each with the ops
// that name it (as thread, in args, or as a ret naming a task or a group).
// A version 1 trace declares none.
func (v *Vocabulary) Declared(t Trace) []Declaration {
	listed := map[nameKey]bool{}
	for _, n := range t.Header.Tasks {
		listed[nameKey{n, false}] = true
	}
	for _, n := range t.Header.Groups {
		listed[nameKey{n, true}] = true
	}
	var out []Declaration
	at := map[nameKey]int{} // index in out
	use := func(i int, n string, group bool) {
		k := nameKey{n, group}
		if n == "" || listed[k] {
			return
		}
		j, ok := at[k]
		if !ok {
			j, at[k] = len(out), len(out)
			out = append(out, Declaration{Name: n, Group: group})
		}
		if d := &out[j]; len(d.Ops) == 0 || d.Ops[len(d.Ops)-1] != i {
			d.Ops = append(d.Ops, i)
		}
	}
	for i, op := range t.Ops {
		use(i, op.Thread, false)
		spec := v.lookup(op.Kind, t.Header.Version)
		if spec == nil || spec.event {
			continue
		}
		if op.Phase != PhaseFollowup && spec.arg != argNone {
			use(i, op.Args.get(spec.arg), spec.arg == argGroup)
		}
		if op.Ret.Kind == RetName && op.Phase != PhaseRequest {
			switch {
			case spec.ret&RetsTask != 0:
				use(i, op.Ret.Name, false)
			case spec.ret&RetsGroup != 0:
				use(i, op.Ret.Name, true)
			}
		}
	}
	return out
}

// nameKey is a name in its namespace.
type nameKey struct {
	name  string
	group bool
}

// validState reports whether s names a task state as a RetsState ret.
func (v *Vocabulary) validState(s string) bool {
	base, rest, _ := strings.Cut(s, "|")
	ok := false
	for _, n := range v.states.Names {
		ok = ok || n == base
	}
	if !ok {
		return false
	}
	if len(s) == len(base) {
		return true
	}
	flags := v.states.Flags
	for _, f := range strings.Split(rest, "|") {
		for len(flags) > 0 && flags[0] != f {
			flags = flags[1:]
		}
		if len(flags) == 0 {
			return false
		}
		flags = flags[1:]
	}
	return true
}

// Protocols are the protocols a Reader reads or a Writer writes: the
// header's "protocol" picks one of their vocabularies. A *Vocabulary is
// the Protocols of its own protocol alone; a List holds several.
type Protocols interface {
	Vocabularies() []*Vocabulary
}

// Vocabularies returns v alone.
func (v *Vocabulary) Vocabularies() []*Vocabulary { return []*Vocabulary{v} }

// List is the Protocols of its vocabularies.
type List []*Vocabulary

// Vocabularies returns l.
func (l List) Vocabularies() []*Vocabulary { return l }

// pick returns the vocabulary of protocol p in ps ("" is DefaultProtocol),
// or the error of an unknown protocol.
func pick(ps Protocols, p string) (*Vocabulary, *Error) {
	if p == "" {
		p = DefaultProtocol
	}
	var vs []*Vocabulary
	if ps != nil {
		vs = ps.Vocabularies()
	}
	var known []string
	for _, v := range vs {
		if v.protocol == p {
			return v, nil
		}
		known = append(known, strconv.Quote(v.protocol))
	}
	msg := "unknown protocol " + quote(p) + ": "
	if len(known) == 0 {
		msg += "no protocol was given to read it with"
	} else {
		msg += "want " + strings.Join(known, " or ")
	}
	return nil, errf("protocol", msg)
}
