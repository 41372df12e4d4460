package main

import (
	"bytes"

	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/traces"
)

// recordTrace records a run of a system as the bytes of a trace file
// (docs/trace-format.md), with the name of its variant. Only a protocol
// with a trace format can be recorded.
func recordTrace(sys sim.System, actions []sim.Action) (data []byte, variant string, err error) {
	cfg, err := traceConfig(sys)
	if err != nil {
		return nil, "", err
	}
	m, err := umcg01.New(cfg)
	if err != nil {
		return nil, "", err
	}
	tr, err := m.Trace(actions, "model")
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, tr, umcg01.Vocabulary()); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), cfg.Variant.String(), nil
}
