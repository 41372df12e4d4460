package lincheck

import (
	"hash/maphash"

	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/traces"
)

// umcg2023Spec adapts model/umcg2023's sequential specification.
func umcg2023Spec() *Spec {
	var sp umcg2023.Spec
	seed := maphash.MakeSeed()
	return &Spec{
		Protocol:   umcg2023.ProtocolName,
		Vocabulary: umcg2023.Vocabulary(),
		Ops: func(t traces.Trace) ([]SpecOp, error) {
			ops, err := umcg2023.SpecOps(t)
			if err != nil {
				return nil, err
			}
			out := make([]SpecOp, len(ops))
			request := map[int8]int{} // thread -> its pending request's trace op
			for i, op := range ops {
				out[i] = SpecOp{Index: op.Index, From: op.Index, Thread: int(op.Thread), Op: op}
				switch op.Phase {
				case umcg2023.Request:
					request[op.Thread] = op.Index
				case umcg2023.Followup:
					// Nanos completes a sleeping call in the kernel
					// (a server's events are collected when its
					// worker's event arrives), before the thread
					// returns: the followup may be anywhere after its
					// request.
					out[i].From = request[op.Thread]
				}
			}
			return out, nil
		},
		Init: func() any { return sp.Init() },
		Step: func(state, op any) []any {
			var out []any
			for _, n := range sp.Next(state.(umcg2023.SpecState), op.(umcg2023.SpecOp)) {
				out = append(out, n)
			}
			return out
		},
		Equal: func(a, b any) bool { return a.(umcg2023.SpecState) == b.(umcg2023.SpecState) },
		Hash:  func(state any) uint64 { return maphash.Comparable(seed, state.(umcg2023.SpecState)) },
		DescribeOp: func(op any, tasks []string) string {
			return sp.Describe(op.(umcg2023.SpecOp), tasks)
		},
		DescribeState: func(state any, tasks []string) string {
			s := state.(umcg2023.SpecState)
			return sp.DescribeState(&s, tasks)
		},
	}
}
