package main

import (
	"bytes"
	"fmt"

	"github.com/umcgcheck/umcgcheck/viewer"
)

// htmlFlagDoc is the --html flag's description, for explore and replay.
const htmlFlagDoc = "also write every counterexample, listed at the top, on one self-contained HTML page (a lane per thread; click a step to see the state after it) to this file; it must not exist"

// checkViewerFile refuses, before the work, an --html file that exists,
// whose directory does not, or that another output flag of explore
// (--out, --dot, --emit-traces) names too.
func checkViewerFile(html, out, dot, emit string) error {
	if err := checkNewFile("html", html); err != nil {
		return err
	}
	for _, o := range []struct{ flag, path string }{{"out", out}, {"dot", dot}, {"emit-traces", emit}} {
		if html != "" && html == o.path {
			return usagef("--%s and --html: both name %s", o.flag, html)
		}
	}
	return nil
}

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
