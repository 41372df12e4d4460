package umcg01

import (
	"fmt"
	"sort"
	"strings"
)

// Config is a closed model: the variant, the client programs that drive it
// and the faults the environment may inject. The zero value is not useful;
// start from DefaultConfig.
type Config struct {
	Variant   Variant  `json:"variant"`
	Groups    int      `json:"groups"`           // groups of servers and workers, created before the threads start
	Servers   int      `json:"servers"`          // servers per group
	Workers   int      `json:"workers"`          // workers per group
	Blocks    int      `json:"blocks"`           // blocking syscalls per worker
	Yields    int      `json:"yields,omitempty"` // umcg_wait calls (yields to the server) per worker, after its blocking syscalls
	CorePairs int      `json:"core_pairs"`       // pairs of core tasks ping-ponging with swap
	Swaps     int      `json:"swaps"`            // swaps by the leader of each core pair
	Probes    []string `json:"probes"`           // probe programs (see ProbeNames)
	Faults    Fault    `json:"faults"`           // faults the environment may inject
	MaxFaults int      `json:"max_faults"`       // at most this many faults per run
	Bug       string   `json:"bug,omitempty"`    // a deliberate bug (see BugNames), for testing the properties
	// General is the number of most general clients of each kind (core
	// task, server, worker), all in a group of their own: at each client
	// step each chooses any call its kind may make, misuse included
	// (general.go), at most Calls times.
	General int `json:"general,omitempty"`
	Calls   int `json:"calls,omitempty"` // calls per general thread
	// Sleeps bounds the sleep events of a run: a registered worker that
	// sleeps outside UMCG (a page fault, a mutex, a futex inside libumcg),
	// anywhere in its own code or between libumcg's steps, which runs
	// v0.1's block hook and, when it wakes, the wake hook.
	Sleeps int `json:"sleeps,omitempty"`
	// Fixes are the corrections the Seed variant applies (see Fix); the
	// Fixed variant applies every one of them whatever Fixes says.
	Fixes FixSet `json:"fixes,omitempty"`
}

// DefaultConfig is one group with two servers sharing two workers that
// block once each, the seed variant and no faults: the smallest
// configuration on which the RFC's code fails without any fault.
func DefaultConfig() Config {
	return Config{Variant: Seed, Groups: 1, Servers: 2, Workers: 2, Blocks: 1, MaxFaults: 1}
}

// String is a one-line description, stable across runs.
func (c Config) String() string {
	s := fmt.Sprintf("variant=%s groups=%d servers=%d workers=%d blocks=%d core-pairs=%d swaps=%d faults=%s max-faults=%d",
		c.Variant, c.Groups, c.Servers, c.Workers, c.Blocks, c.CorePairs, c.Swaps, c.Faults, c.MaxFaults)
	if len(c.Probes) > 0 {
		s += " probes=" + strings.Join(c.Probes, ",")
	}
	if c.General > 0 {
		s += fmt.Sprintf(" general=%d calls=%d", c.General, c.Calls)
	}
	if c.Yields > 0 {
		s += fmt.Sprintf(" yields=%d", c.Yields)
	}
	if c.Sleeps > 0 {
		s += fmt.Sprintf(" sleeps=%d", c.Sleeps)
	}
	if c.Bug != "" {
		s += " bug=" + c.Bug
	}
	if c.Fixes != 0 {
		s += " fixes=" + c.Fixes.String()
	}
	return s
}

type progKind uint8

const (
	progServer progKind = iota
	progWorker
	progScript
	progPuppet  // a trace's task: Spec tells it what to call
	progGeneral // a most general client (general.go)
)

// argKind says how a script step's argument is found.
type argKind uint8

const (
	argNone   argKind = iota // UMCG_NONE
	argGroup                 // the handle of group idx
	argThread                // the utid of thread idx
	argLast                  // the value the previous call returned
)

type instrOp uint8

const (
	opCall  instrOp = iota
	opSet           // set bit idx of this thread's Sig
	opAwait         // wait until thread arg.idx has Sig bit idx set
)

type instr struct {
	op      instrOp
	call    Call
	arg     argKind
	idx     int8
	bit     uint8
	eintrAs Call // on -1/EINTR, retry as this call (CallNone: go on)
	retry0  bool // retry while the call returns UMCG_NONE
	// retryErr: retry while the call fails with an errno (a fault): the
	// probe must not walk away from a worker it was handed.
	retryErr bool
}

// program is one thread's client program.
type program struct {
	kind   progKind
	name   string
	group  int8 // group of a server or worker
	blocks uint8
	yields uint8 // a worker's umcg_wait calls after its blocks
	script []instr
	strict bool // give up (Aborted) on an unexpected failure; probes go on
	role   Kind // a general client's kind: the calls it chooses from
}

// Model is a configured model: the programs of its threads and its
// variant. It holds no state; states are values of type State.
type Model struct {
	cfg     Config
	progs   []program
	bug     bug
	nGroups uint8
	fixes   FixSet // the fixes applied (every one for the Fixed variant)
	// choices are the calls general clients choose from, action kind
	// ActCall+i for choices[i]; actionNames names every action kind.
	choices     []choice
	actionNames []string
}

// New checks c and builds its model.
func New(c Config) (*Model, error) {
	switch {
	case c.Variant != Seed && c.Variant != Fixed:
		return nil, fmt.Errorf("variant: unknown variant %d", c.Variant)
	case c.Groups < 0 || c.Groups > MaxGroups:
		return nil, fmt.Errorf("groups: %d is out of range 0..%d", c.Groups, MaxGroups)
	case c.Faults&^AllFaults != 0:
		return nil, fmt.Errorf("faults: unknown fault bits %#x", uint8(c.Faults&^AllFaults))
	case c.Fixes&^AllFixes != 0:
		return nil, fmt.Errorf("fixes: unknown fix bits %#x (known: %s)", uint32(c.Fixes&^AllFixes), strings.Join(FixNames(), ", "))
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"servers", c.Servers}, {"workers", c.Workers}, {"blocks", c.Blocks},
		{"core-pairs", c.CorePairs}, {"swaps", c.Swaps}, {"max-faults", c.MaxFaults},
		{"general", c.General}, {"calls", c.Calls}, {"sleeps", c.Sleeps}, {"yields", c.Yields}} {
		if f.v < 0 || f.v > 100 {
			return nil, fmt.Errorf("%s: %d is out of range 0..100", f.name, f.v)
		}
	}
	switch {
	case c.CorePairs > 0 && c.Swaps < 1:
		return nil, fmt.Errorf("swaps: core pairs need at least one swap")
	}
	b, ok := bugByName(c.Bug)
	if !ok {
		return nil, fmt.Errorf("bug: unknown bug %q (known: %s)", c.Bug, strings.Join(BugNames(), ", "))
	}
	m := &Model{cfg: c, bug: b, fixes: c.Fixes}
	if c.Variant == Fixed {
		m.fixes = AllFixes
	}
	for g := 0; g < c.Groups; g++ {
		for i := 0; i < c.Servers; i++ {
			m.progs = append(m.progs, program{kind: progServer, name: fmt.Sprintf("s%d", len(m.progs)), group: int8(g)})
		}
		for i := 0; i < c.Workers; i++ {
			m.progs = append(m.progs, program{kind: progWorker, name: fmt.Sprintf("w%d", len(m.progs)), group: int8(g), blocks: uint8(c.Blocks), yields: uint8(c.Yields)})
		}
	}
	for p := 0; p < c.CorePairs; p++ {
		a, b := int8(len(m.progs)), int8(len(m.progs)+1)
		m.progs = append(m.progs,
			program{kind: progScript, name: fmt.Sprintf("c%d", a), script: coreLeader(b, c.Swaps), strict: true},
			program{kind: progScript, name: fmt.Sprintf("c%d", b), script: coreFollower(a, c.Swaps), strict: true})
	}
	groups := c.Groups
	m.actionNames = ActionNames
	if c.General > 0 {
		if groups >= MaxGroups {
			return nil, fmt.Errorf("general: too many groups (at most %d)", MaxGroups)
		}
		if len(m.progs)+3*c.General > MaxModelThreads {
			return nil, fmt.Errorf("too many threads: %d (at most %d)", len(m.progs)+3*c.General, MaxModelThreads)
		}
		m.addGeneral(int8(groups))
		groups++
	}
	for _, name := range c.Probes {
		mk, ok := probes[name]
		if !ok {
			return nil, fmt.Errorf("probes: unknown probe %q (known: %s)", name, strings.Join(ProbeNames(), ", "))
		}
		if groups >= MaxGroups {
			return nil, fmt.Errorf("probes: too many groups (at most %d)", MaxGroups)
		}
		for _, p := range mk(int8(groups), int8(len(m.progs))) {
			p.name = fmt.Sprintf("p%d", len(m.progs))
			m.progs = append(m.progs, p)
		}
		groups++
	}
	if len(m.progs) > MaxModelThreads {
		return nil, fmt.Errorf("too many threads: %d (at most %d)", len(m.progs), MaxModelThreads)
	}
	if len(m.progs) == 0 {
		return nil, fmt.Errorf("the configuration has no threads")
	}
	m.cfg.Groups = c.Groups
	m.nGroups = uint8(groups)
	return m, nil
}

// Config returns the configuration the model was built from.
func (m *Model) Config() Config { return m.cfg }

// Threads is the number of threads.
func (m *Model) Threads() int { return len(m.progs) }

// ThreadName is the name of thread t: s (server), w (worker), c (core task)
// or p (probe), followed by its index.
func (m *Model) ThreadName(t int) string { return m.progs[t].name }

// Init is the initial state: the groups created (their library structs and
// kernel groups exist), every thread at the start of its program.
func (m *Model) Init() State {
	var s State
	s.N = uint8(len(m.progs))
	s.G = m.nGroups
	for g := 0; g < int(s.G); g++ {
		s.Grp[g].Lib = 1
		s.Grp[g].Exists = true
		// Created in order 0, 1, ...: v0.1 leaves only the newest on
		// the process's list (finding create-group-swapped-list).
		s.Grp[g].Unlisted = !m.fix(FixGroupList) && g < int(s.G)-1
	}
	for i := range s.T[:s.N] {
		t := &s.T[i]
		t.Arg, t.Ptr, t.Group, t.Peer, t.Out, t.GRan = None, None, None, None, None, None
	}
	return s
}

func coreLeader(partner int8, swaps int) []instr {
	p := []instr{
		{op: opCall, call: CallRegisterCore},
		{op: opAwait, idx: partner, bit: 0},
	}
	for i := 0; i < swaps; i++ {
		p = append(p, instr{op: opCall, call: CallSwap, arg: argThread, idx: partner, eintrAs: CallWait})
	}
	p = append(p, instr{op: opSet, bit: 1}, instr{op: opAwait, idx: partner, bit: 1},
		instr{op: opCall, call: CallUnregister})
	return p
}

func coreFollower(partner int8, swaps int) []instr {
	p := []instr{
		{op: opCall, call: CallRegisterCore},
		{op: opSet, bit: 0},
		{op: opCall, call: CallWait, eintrAs: CallWait},
	}
	for i := 1; i < swaps; i++ {
		p = append(p, instr{op: opCall, call: CallSwap, arg: argThread, idx: partner, eintrAs: CallWait})
	}
	p = append(p, instr{op: opCall, call: CallWake, arg: argThread, idx: partner},
		instr{op: opSet, bit: 1}, instr{op: opAwait, idx: partner, bit: 1},
		instr{op: opCall, call: CallUnregister})
	return p
}

// probes make the programs of a probe: g is the probe's own group, first the
// index of its first thread.
var probes = map[string]func(g, first int8) []program{
	// register: the documented error cases of register, unregister and the
	// group calls, on a group of the probe's own.
	"register": func(g, first int8) []program {
		return []program{{kind: progScript, script: []instr{
			{op: opCall, call: CallRegisterWorker, arg: argNone},
			{op: opCall, call: CallRegisterServer, arg: argGroup, idx: g},
			{op: opCall, call: CallRegisterServer, arg: argGroup, idx: g},
			{op: opCall, call: CallRegisterWorker, arg: argGroup, idx: g},
			{op: opCall, call: CallRegisterCore},
			{op: opCall, call: CallDestroyGroup, arg: argGroup, idx: g},
			{op: opCall, call: CallUnregister},
			{op: opCall, call: CallUnregister},
			{op: opCall, call: CallDestroyGroup, arg: argGroup, idx: g},
			{op: opCall, call: CallCreateGroup},
			{op: opCall, call: CallDestroyGroup, arg: argLast},
		}}}
	},
	// run-gone: a server runs a worker that unregisters, then runs it again.
	"run-gone": func(g, first int8) []program {
		return []program{
			{kind: progScript, script: []instr{
				{op: opCall, call: CallRegisterServer, arg: argGroup, idx: g},
				{op: opCall, call: CallPollWorker, retry0: true},
				{op: opCall, call: CallRunWorker, arg: argThread, idx: first + 1, retryErr: true},
				{op: opCall, call: CallRunWorker, arg: argThread, idx: first + 1},
				{op: opCall, call: CallUnregister},
			}},
			{kind: progScript, script: []instr{
				{op: opCall, call: CallRegisterWorker, arg: argGroup, idx: g},
				{op: opCall, call: CallUnregister},
			}},
		}
	},
	// wake-twice: a core task wakes its partner twice; the second wake may
	// find a wakeup already queued, which the header says is an error.
	"wake-twice": func(g, first int8) []program {
		b := first + 1
		return []program{
			{kind: progScript, script: []instr{
				{op: opCall, call: CallRegisterCore},
				{op: opAwait, idx: b, bit: 0},
				{op: opCall, call: CallWake, arg: argThread, idx: b},
				{op: opCall, call: CallWake, arg: argThread, idx: b},
				{op: opSet, bit: 1},
				{op: opAwait, idx: b, bit: 1},
				{op: opCall, call: CallUnregister},
			}},
			{kind: progScript, script: []instr{
				{op: opCall, call: CallRegisterCore},
				{op: opSet, bit: 0},
				{op: opCall, call: CallWait},
				{op: opAwait, idx: first, bit: 1},
				{op: opSet, bit: 1},
				{op: opCall, call: CallUnregister},
			}},
		}
	},
}

// ProbeNames lists the probe programs, sorted.
func ProbeNames() []string {
	var ns []string
	for n := range probes {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
