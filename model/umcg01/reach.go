package umcg01

import (
	"fmt"

	"github.com/umcgcheck/umcgcheck/props"
)

// The reachability properties (props.Sometimes): what the documentation
// says a client of UMCG goes through, each bound to the configurations
// whose clients are written to go through it. A complete search of such a
// configuration that never gets there reports the property never reached:
// the configuration would check the rest vacuously.
//
// They bind by the clients a configuration has (Config's servers,
// workers, blocks and core pairs), not by its name, so a configuration
// built with flags gets the same ones. The probe programs and the most
// general client bind none: the probes test error answers, each on its
// own, and where the general client gets within its bound of calls is
// what explore --coverage shows, not something the documentation says.

// reachable is one row of the table.
type reachable struct {
	id, doc string
	applies func(c *Config) bool // the configurations whose clients must reach it...
	when    string               // ...in words
	kind    Kind                 // a task of this kind...
	word    TaskState            // ...whose state word is this (kind none: see state)
	state   func(m *Model, s *State) string
}

// The clients: servers poll and run workers; workers run, and block
// Blocks times; core pairs ping-pong with wake and swap.
func hasServers(c *Config) bool   { return c.Groups > 0 && c.Servers > 0 }
func hasWorkers(c *Config) bool   { return hasServers(c) && c.Workers > 0 }
func workersBlock(c *Config) bool { return hasWorkers(c) && c.Blocks > 0 }
func hasCorePairs(c *Config) bool { return c.CorePairs > 0 }

// reachTable lists the states of the documented state diagram (each
// state of each kind: the legal-edge table's states) and the situations
// the documentation describes: a wakeup queued before its wait (a core
// task RUNNING|WAKEUP_QUEUED), a worker run by a server, a group's queue
// of unblocked workers.
var reachTable = []reachable{
	{id: "reach-server-processing", doc: "a server is PROCESSING", applies: hasServers, when: "with servers", kind: KindServer, word: StateProcessing},
	{id: "reach-server-polling", doc: "a server is POLLING", applies: hasServers, when: "with servers", kind: KindServer, word: StatePolling},
	{id: "reach-server-serving", doc: "a server is SERVING", applies: hasWorkers, when: "with servers and workers", kind: KindServer, word: StateServing},
	{id: "reach-worker-runnable", doc: "a worker is RUNNABLE", applies: hasWorkers, when: "with servers and workers", kind: KindWorker, word: StateRunnable},
	{id: "reach-worker-running", doc: "a worker is RUNNING", applies: hasWorkers, when: "with servers and workers", kind: KindWorker, word: StateRunning},
	{id: "reach-worker-blocked", doc: "a worker is BLOCKED", applies: workersBlock, when: "whose workers block", kind: KindWorker, word: StateBlocked},
	{id: "reach-worker-unblocked", doc: "a worker is UNBLOCKED", applies: workersBlock, when: "whose workers block", kind: KindWorker, word: StateUnblocked},
	{id: "reach-core-running", doc: "a core task is RUNNING", applies: hasCorePairs, when: "with core pairs", kind: KindCore, word: StateRunning},
	{id: "reach-core-runnable", doc: "a core task is RUNNABLE (waiting)", applies: hasCorePairs, when: "with core pairs", kind: KindCore, word: StateRunnable},
	{id: "reach-wakeup-queued", doc: "a core task is RUNNING|WAKEUP_QUEUED (a wake came before its wait)", applies: hasCorePairs, when: "with core pairs",
		kind: KindCore, word: StateRunning | FlagWakeupQueued},
	{id: "reach-worker-served", doc: "a RUNNING worker is linked to a SERVING server of its group (a worker run by a server)", applies: hasWorkers, when: "with servers and workers",
		state: func(m *Model, s *State) string {
			for i := 0; i < int(s.N); i++ {
				th := &s.T[i]
				if th.Kind == KindWorker && th.Status == Alive && th.Word == StateRunning && th.Peer >= 0 {
					if sv := &s.T[th.Peer]; sv.Kind == KindServer && sv.Word == StateServing && sv.Peer == int8(i) && sv.Group == th.Group {
						return fmt.Sprintf("%s runs, served by %s", m.ThreadName(i), m.ThreadName(int(th.Peer)))
					}
				}
			}
			return ""
		}},
	{id: "reach-unblocked-queued", doc: "a group's queue holds an UNBLOCKED worker (waiting for a server to poll it)", applies: workersBlock, when: "whose workers block",
		state: func(m *Model, s *State) string {
			for g := 0; g < int(s.G); g++ {
				gr := &s.Grp[g]
				for _, w := range gr.Waiters[:gr.NWait] {
					if s.T[w].Kind == KindWorker {
						return fmt.Sprintf("group %d queues %s", g, m.ThreadName(int(w)))
					}
				}
			}
			return ""
		}},
}

// Reachability lists the reachability properties bound to m's
// configuration, in table order.
func (m *Model) Reachability() []*Property { return m.reachability(false) }

// reachability lists the table's properties bound to m's configuration,
// or all of them (for listings).
func (m *Model) reachability(all bool) []*Property {
	var out []*Property
	for _, r := range reachTable {
		if !all && !r.applies(&m.cfg) {
			continue
		}
		r := r
		out = append(out, &Property{ID: r.id, Doc: "some run reaches a state where " + r.doc + " (configurations " + r.when + ")", Class: props.Sometimes,
			State: func(s *State) string {
				if !s.Live() {
					return "" // the process is gone: the rest is debris
				}
				if r.state != nil {
					return r.state(m, s)
				}
				for i := 0; i < int(s.N); i++ {
					if th := &s.T[i]; th.Kind == r.kind && th.Status == Alive && th.Word == r.word && !th.Freed {
						return fmt.Sprintf("%s is %s", m.ThreadName(i), r.word)
					}
				}
				return ""
			}})
	}
	return out
}
