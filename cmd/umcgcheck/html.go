package main

import (
	"bytes"
	"fmt"

	"github.com/umcgcheck/umcgcheck/viewer"
)

// htmlFlagDoc is the --html flag's description, for explore and replay.
const htmlFlagDoc = "also write every counterexample, listed at the top, on one self-contained HTML page (a lane per thread; click a step to see the state after it) to this file; it must not exist"

// writeViewer writes the viewer's page of the items a command found to
// path, which must not exist (checked before the work too, by
// checkNewFile). Every counterexample is on the page, listed at its top.
func writeViewer(path, command string, items []viewer.Item) error {
	title := fmt.Sprintf("umcgcheck %s: %d counterexample(s)", command, len(items))
	var buf bytes.Buffer
	if err := viewer.Write(&buf, viewer.Build(title, items)); err != nil {
		return usagef("--html: %v", err)
	}
	if err := writeNew(path, buf.Bytes()); err != nil {
		return usagef("--html: %v", err)
	}
	return nil
}
