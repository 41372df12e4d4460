package umcg2023

import (
	"fmt"
	"slices"
	"strings"
)

// Point is one place where the posting [P] and Nanos [N] disagree
// (docs/umcg-2023.md §4), modelled both ways. Config.Kernel selects every
// point's reading of one source at once; Config.Readings overrides single
// points, so that one difference can be tried alone.
type Point struct {
	Name    string // the CLI flag and the key in Config.Readings
	D       string // the point's number in docs/umcg-2023.md §4
	Posting string // the posting's reading
	Nanos   string // Nanos's reading
	Doc     string // what the two readings are
}

// Points are the disagreements the model has both readings of. The others
// of §4 are not modelled: docs/semantics.md, "UMCG 2023", says why.
var Points = []Point{
	{"order", "D6", "lifo", "fifo",
		"idle-worker and idle-server lists: LIFO [P:umcg_enqueue_idle_worker, P:umcg_enqueue_idle_server] or FIFO [N:umcg_worker_event_idle, blockq]"},
	{"bad-switch", "D4", "kill", "einval",
		"a server's CTX_SWITCH to a worker that is not RUNNABLE: the caller SIGKILLed after the worker's status is overwritten [P:umcg_wake_worker], or EINVAL with nothing changed [N:umcg_ctx_switch]"},
	{"wake", "D7", "pop", "flag",
		"WAKE: pop an idle server or EAGAIN [P:umcg_wake], or set a flag that the woken server consumes only when it collects nothing, else the next idle WAIT returns at once [N:umcg_ctl, N:umcg_server_wait_bh]"},
	{"waitfor", "D10", "link", "bq",
		"WAIT(next_tid=w): link w to the server if w is BLOCKED, cleared unconditionally on return [P:umcg_server_wait_for_worker], or overwrite w's server_bq, the queue its next attached event wakes, even when w runs under another server [N:umcg_wait]"},
	{"slot", "D16", "kill", "overwrite",
		"an attached event written to a full slot: the worker SIGKILLed [P:umcg_wake_server] (and a server that WAITs with its slot full SIGKILLed [P:umcg_wait]); or the slot overwritten, the older event lost [N:umcg_worker_event_to_server]"},
	{"yield-state", "D5", "runnable", "waiting",
		"a yielded worker: RUNNABLE, so a worker's CTX_SWITCH may run it [P:umcg_wait]; or WAITING, which only a server's CTX_SWITCH runs, a worker's fails [N:umcg_wait, N:umcg_ctx_switch]"},
	{"interrupt", "D13", "resume", "restart",
		"a signal to a server asleep in WAIT or CTX_SWITCH: EINTR, the server stays IDLE (listed) or ATTACHED and resumes the sleep by WAIT with flags INTERRUPTED [P:umcg_idle_loop, P:umcg_wait]; or ERESTARTSYS, an idle WAIT restarts unseen and a CTX_SWITCH ends while its worker runs on, its server_event pointing at the finished call's slot [N:umcg_server_ctx_switch_bh, N:umcg_server_wait_bh]"},
	{"register-server", "D1 D2", "registered", "implicit",
		"REGISTER_SERVER records a server, and WAIT or CTX_SWITCH by an unregistered thread is SIGKILLed, UNREGISTER by one EINVAL [P:umcg_register_server, P:umcg_wait, P:umcg_unregister]; or nothing is recorded and every non-worker acts as a server, UNREGISTER by one returns 0 [N:umcg_ctl, N:umcg_unregister]"},
	{"args", "D3 D8 D9", "eperm", "einval",
		"argument checks: a target that is no UMCG task EPERM, a server's CTX_SWITCH with event_sz 0 accepted, a worker's CTX_SWITCH with events EINVAL [P:umcg_ctx_switch, P:umcg_server_wait_for_worker]; or a target that is no worker EINVAL, event_sz 0 EINVAL, a worker's events ignored [N:umcg_ctx_switch, N:umcg_wait]"},
}

// Kernels are the values of Config.Kernel: the source whose reading every
// point takes unless Config.Readings says otherwise.
var Kernels = []string{"posting", "nanos"}

// readings are a configuration's points resolved, as the steps ask them.
type readings struct {
	fifo, badSwitchEINVAL, wakeFlag, waitforBQ, slotOverwrite bool
	implicitServers, nanosArgs, signalsRestart, yieldWaiting  bool
}

// resolve checks c's kernel and readings and returns every point's value.
func resolve(c Config) (readings, map[string]string, error) {
	var r readings
	kernel := c.Kernel
	if kernel == "" {
		kernel = "posting"
	}
	if !slices.Contains(Kernels, kernel) {
		return r, nil, fmt.Errorf("kernel: unknown kernel %q (known: %s)", c.Kernel, strings.Join(Kernels, ", "))
	}
	for k := range c.Readings {
		if !slices.ContainsFunc(Points, func(p Point) bool { return p.Name == k }) {
			return r, nil, fmt.Errorf("readings: unknown point %q", k)
		}
	}
	vals := map[string]string{}
	for _, p := range Points {
		v := p.Posting
		if kernel == "nanos" {
			v = p.Nanos
		}
		if o, ok := c.Readings[p.Name]; ok {
			if o != p.Posting && o != p.Nanos {
				return r, nil, fmt.Errorf("readings: %s (%s) is %s or %s, not %q", p.Name, p.D, p.Posting, p.Nanos, o)
			}
			v = o
		}
		vals[p.Name] = v
	}
	r.fifo = vals["order"] == "fifo"
	r.badSwitchEINVAL = vals["bad-switch"] == "einval"
	r.wakeFlag = vals["wake"] == "flag"
	r.waitforBQ = vals["waitfor"] == "bq"
	r.slotOverwrite = vals["slot"] == "overwrite"
	r.implicitServers = vals["register-server"] == "implicit"
	r.nanosArgs = vals["args"] == "einval"
	r.signalsRestart = vals["interrupt"] == "restart"
	r.yieldWaiting = vals["yield-state"] == "waiting"
	return r, vals, nil
}

// overrides lists, in Points order, the points whose reading differs from
// the kernel's, as name=value.
func (c Config) overrides() []string {
	var out []string
	for _, p := range Points {
		v, ok := c.Readings[p.Name]
		if !ok {
			continue
		}
		def := p.Posting
		if c.Kernel == "nanos" {
			def = p.Nanos
		}
		if v != def {
			out = append(out, p.Name+"="+v)
		}
	}
	return out
}
