package umcg01

import "fmt"

// The most general client: each general thread is a core task, a server
// or a worker, and at each of its client steps it chooses, as an action of
// its own kind, any call its kind may make, with any argument that names
// a general thread, UMCG_NONE or a bad group, in any order: wait before
// register, register twice, run a worker it was not handed, run itself or
// a core task, wake or swap itself or UMCG_NONE, unregister while it
// serves or is served. It makes at most Config.Calls calls, and may end
// its program at any client step (its plain step), registered or not.
// The call then runs through the library's steps like any other client's.
//
// General threads are in no symmetry class: their action kinds name the
// threads they target, and the engine renames only an action's thread.
//
// Progress is owed only to clients that keep calling: a general client
// may end, or spend its calls, before it makes the call another general
// thread waits for, so a general thread asleep for good is a valid end
// (no-deadlock), and worker-eventually-runs and run-returns are not asked
// of general workers and servers. The safety properties and no-busy-wait
// hold for them as for every thread.

// choice is one call a general thread can choose: a call and its argument.
type choice struct {
	role Kind   // the kind of general thread that may choose it
	call Call   // the call
	arg  int8   // its argument: a thread, a group, or None
	name string // the action kind's name: "call run_worker w5"
}

// ActCall is the action kind of the first choice of a general client;
// choice i is action kind ActCall+i.
const ActCall = ActSleep + 1

// addGeneral adds the general threads, Config.General of each kind, all in
// group g, and the choices they make.
func (m *Model) addGeneral(g int8) {
	n := m.cfg.General
	var cores, servers, workers []int8
	add := func(role Kind, prefix string) int8 {
		t := int8(len(m.progs))
		m.progs = append(m.progs, program{kind: progGeneral, role: role, group: g,
			name: fmt.Sprintf("%s%d", prefix, t)})
		return t
	}
	for i := 0; i < n; i++ {
		cores = append(cores, add(KindCore, "c"))
	}
	for i := 0; i < n; i++ {
		servers = append(servers, add(KindServer, "s"))
	}
	for i := 0; i < n; i++ {
		workers = append(workers, add(KindWorker, "w"))
	}
	var cs []choice
	with := func(role Kind, c Call, args ...int8) {
		for _, a := range args {
			name := "call " + c.String()
			switch {
			case c.TakesThread() && a == None, c.TakesGroup() && a == None:
				name += " UMCG_NONE"
			case c.TakesThread():
				name += " " + m.progs[a].name
			case c.TakesGroup():
				name += fmt.Sprintf(" g%d", a)
			}
			cs = append(cs, choice{role: role, call: c, arg: a, name: name})
		}
	}
	targets := append([]int8{None}, cores...)
	with(KindCore, CallRegisterCore, None)
	with(KindCore, CallWait, None)
	with(KindCore, CallWake, targets...)
	with(KindCore, CallSwap, targets...)
	with(KindCore, CallUnregister, None)

	with(KindServer, CallRegisterServer, g, None)
	with(KindServer, CallPollWorker, None)
	with(KindServer, CallRunWorker, append(append(append([]int8(nil), workers...), None), append(cores, servers...)...)...)
	with(KindServer, CallUnregister, None)

	with(KindWorker, CallRegisterWorker, g)
	with(KindWorker, CallWait, None)
	with(KindWorker, CallUnregister, None)

	// A call several kinds may make (wait, unregister_task) is a choice of
	// each: its name says whose, since a saved counterexample names its
	// actions and replay finds them by name.
	uses := map[string]int{}
	for _, c := range cs {
		uses[c.name]++
	}
	for i := range cs {
		if uses[cs[i].name] > 1 {
			cs[i].name += " (" + cs[i].role.String() + ")"
		}
	}
	m.choices = cs
	m.actionNames = append([]string(nil), ActionNames...)
	for _, c := range cs {
		m.actionNames = append(m.actionNames, c.name)
	}
}

// appendChoices appends the calls general thread t can choose now: every
// choice of its kind, at a client step, with calls left in its budget.
func (m *Model) appendChoices(s *State, t int8, buf []Action) []Action {
	p := &m.progs[t]
	th := &s.T[t]
	if p.kind != progGeneral || th.Fn != CallNone || int(th.PC) >= m.cfg.Calls {
		return buf
	}
	for i := range m.choices {
		if m.choices[i].role == p.role {
			buf = append(buf, Action{Kind: uint8(ActCall + i), Thread: t})
		}
	}
	return buf
}

// startChoice starts the call of action a, a general thread's choice.
func (m *Model) startChoice(s *State, a Action, o *Observation) {
	c := &m.choices[int(a.Kind)-ActCall]
	th := &s.T[a.Thread]
	th.PC++
	th.Fn, th.LPC, th.Arg, th.Local = c.call, lpEntry, c.arg, 0
	th.GEntry, th.GKern = 0, 0
	m.libStep(s, a.Thread, false, o)
}

// general reports whether thread t is a general client.
func (m *Model) general(t int) bool { return m.progs[t].kind == progGeneral }
