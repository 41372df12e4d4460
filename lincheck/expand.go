package lincheck

import (
	"errors"
	"math"

	"github.com/umcgcheck/umcgcheck/traces"
)

// NoReturn is the return time the checker gives an operation whose
// return was not seen (an unknown outcome, version 2), in its history and
// in Result.Info: porcupine's way to say that it may take effect at any
// time after its call, also after every other operation, where nobody
// sees its effect. Reports show it as "unknown", never as a time.
const NoReturn = math.MaxInt64

// expanded is a trace in the forms the checker's conversions take, with
// the file line of each of its ops.
type expanded struct {
	t    traces.Trace
	line []int // line[i]: the file line t.Ops[i] comes from; nil: i+2
}

// expand rewrites t, a valid trace of vocabulary voc, into the forms of
// version 1 that the conversions (specOp, umcg2023.SpecOps) take:
//
//   - the header lists every task and group (voc.Names), also those a
//     version 2 trace declares where it first uses them;
//   - a sleeping call recorded as one line becomes a request and a
//     followup, both with the call's whole interval [call, return]: the
//     tracer did not see when it went to sleep, so each half may take
//     effect anywhere in it, and program order (which the checker
//     enforces also at equal times) keeps the request first. Every
//     placement of the two points the real call could have had is one of
//     these, so a trace that is linearizable in split form stays so;
//   - an op of unknown outcome keeps Outcome, and its return is never
//     (both halves, for a sleeping call);
//   - a thread's death is dropped: the specifications have no exit, and
//     the thread has no later op.
//
// A version 1 trace has none of these forms: it is kept as it is.
func expand(t traces.Trace, voc *traces.Vocabulary) expanded {
	if t.Header.Version < traces.Version2 {
		return expanded{t: t}
	}
	out := expanded{t: traces.Trace{Header: t.Header, Ops: make([]traces.Op, 0, len(t.Ops))}}
	out.t.Header.Tasks, out.t.Header.Groups = voc.Names(t)
	for i, op := range t.Ops {
		line := i + 2 // the header is line 1
		if op.Kind == traces.Died {
			continue
		}
		if op.Outcome == traces.OutcomeUnknown {
			op.Return = NoReturn
		}
		if spec, _ := voc.Op(op.Kind); spec.Sleeps && op.Phase == traces.PhaseNone {
			req := op
			req.Phase, req.Ret, req.Errno, req.Signal = traces.PhaseRequest, traces.Ret{}, 0, 0
			op.Phase, op.Args = traces.PhaseFollowup, traces.Args{}
			out.t.Ops = append(out.t.Ops, req)
			out.line = append(out.line, line)
		}
		out.t.Ops = append(out.t.Ops, op)
		out.line = append(out.line, line)
	}
	return out
}

// fileLine rewrites the line of a *traces.Error about an op of e.t (an op
// index + 2) into the line of the file.
func (e expanded) fileLine(err error) error {
	var te *traces.Error
	if e.line != nil && errors.As(err, &te) && te.Line >= 2 && te.Line-2 < len(e.line) {
		c := *te
		c.Line = e.line[te.Line-2]
		return &c
	}
	return err
}
