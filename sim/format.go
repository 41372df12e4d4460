package sim

import (
	"fmt"
	"io"
	"strings"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// Changes describes, in words, what differs between two states: state
// words, registrations, sleeps, peers, lives and group queues.
func Changes(m *model.Model, b, a *model.State) []string {
	var out []string
	for i := 0; i < int(a.N); i++ {
		tb, ta := &b.T[i], &a.T[i]
		n := m.ThreadName(i)
		if tb.Kind != ta.Kind {
			out = append(out, fmt.Sprintf("%s registered as %s", n, ta.Kind))
			if ta.Kind == model.KindNone {
				out[len(out)-1] = n + " unregistered"
			}
		}
		if tb.Word != ta.Word && (ta.Kind != model.KindNone || tb.Kind != model.KindNone) {
			out = append(out, fmt.Sprintf("%s %s->%s", n, tb.Word, ta.Word))
		}
		if tb.Sleep != ta.Sleep {
			if ta.Sleep == model.Awake {
				out = append(out, n+" returns from the kernel")
			} else {
				out = append(out, fmt.Sprintf("%s sleeps (%s)", n, ta.Sleep))
			}
		}
		if tb.Wake != ta.Wake && ta.Wake != model.WakeNone {
			out = append(out, n+" woken")
		}
		if tb.Peer != ta.Peer {
			if ta.Peer < 0 {
				out = append(out, n+" unlinked")
			} else if i < int(ta.Peer) || b.T[ta.Peer].Peer == ta.Peer {
				out = append(out, fmt.Sprintf("%s linked to %s", n, m.ThreadName(int(ta.Peer))))
			}
		}
		if tb.Status != ta.Status {
			out = append(out, fmt.Sprintf("%s %s", n, ta.Status))
		}
		if tb.TLS != ta.TLS || tb.Freed != ta.Freed {
			switch {
			case ta.TLS != 0 && tb.TLS != ta.TLS:
				out = append(out, n+" task_tls allocated")
			case ta.Freed && !tb.Freed:
				out = append(out, n+" task_tls freed")
			case ta.TLS == 0:
				out = append(out, n+" task_tls = NULL")
			}
		}
	}
	for g := 0; g < int(a.G); g++ {
		gb, ga := &b.Grp[g], &a.Grp[g]
		if g >= int(b.G) {
			gb = &model.Group{}
		}
		if qb, qa := queue(m, gb), queue(m, ga); qb != qa {
			out = append(out, fmt.Sprintf("g%d waiters %s->%s", g, qb, qa))
		}
		if gb.Exists != ga.Exists {
			out = append(out, fmt.Sprintf("g%d exists=%v", g, ga.Exists))
		}
		if gb.Lib != ga.Lib {
			out = append(out, fmt.Sprintf("g%d umcg_group %s", g, [...]string{"none", "allocated", "freed"}[ga.Lib]))
		}
	}
	return out
}

func queue(m *model.Model, g *model.Group) string {
	var ns []string
	for _, t := range g.Waiters[:g.NWait] {
		ns = append(ns, m.ThreadName(int(t)))
	}
	return "[" + strings.Join(ns, " ") + "]"
}

// RetString renders a call's return value as the caller sees it.
func RetString(m *model.Model, c model.Call, ret int16) string {
	switch c {
	case model.CallRegisterCore, model.CallRegisterWorker, model.CallRegisterServer,
		model.CallPollWorker, model.CallRunWorker:
		if ret == 0 {
			return "UMCG_NONE"
		}
		if ret > 0 && int(ret) <= m.Threads() {
			return m.ThreadName(int(ret) - 1)
		}
	case model.CallCreateGroup:
		if ret == 0 {
			return "UMCG_NONE"
		}
		if ret > 0 {
			return fmt.Sprintf("g%d", ret-1)
		}
	case model.CallGetTaskState:
		return model.TaskState(ret).String()
	}
	return fmt.Sprint(ret)
}

// StepText is one step of a path in words.
type StepText struct {
	N       int      `json:"n"`
	Thread  string   `json:"thread"`
	Action  string   `json:"action"`
	What    string   `json:"what"`
	Result  string   `json:"result,omitempty"`
	Changes []string `json:"changes,omitempty"`
}

// Explain replays actions and describes each step.
func Explain(m *model.Model, actions []model.Action) []StepText {
	s := m.Init()
	var out []StepText
	for i, a := range actions {
		before := s
		o := m.Step(&s, a)
		st := StepText{N: i + 1, Thread: m.ThreadName(int(a.Thread)), Action: a.Kind.String(), What: o.Label,
			Changes: Changes(m, &before, &s)}
		if o.Syscall && o.SysErrno != 0 {
			st.Result = "syscall error " + o.SysErrno.String()
		}
		if o.Returned {
			st.Result = fmt.Sprintf("returns %s, errno %s", RetString(m, o.Call, o.Ret), o.Errno)
		}
		if o.UAF {
			st.Changes = append(st.Changes, "touches freed memory")
		}
		out = append(out, st)
	}
	return out
}

// WriteText writes the steps as an aligned table.
func WriteText(w io.Writer, steps []StepText) {
	for _, st := range steps {
		line := fmt.Sprintf("%4d  %-4s %-8s %s", st.N, st.Thread, st.Action, st.What)
		if st.Result != "" {
			line += " => " + st.Result
		}
		if len(st.Changes) > 0 {
			line += "  [" + strings.Join(st.Changes, "; ") + "]"
		}
		fmt.Fprintln(w, line)
	}
}
