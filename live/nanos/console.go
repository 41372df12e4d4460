// Package nanos reads the trace that umcgtrace.c, our guest program for
// the Nanos unikernel, prints on the console: the lines that begin with
// Prefix, the header first, then each thread's ops, then End. The guest
// runs the 2023 API's workload (docs/nanos.md); everything else on the
// console (the kernel's boot messages) is skipped.
package nanos

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/traces"
)

// Prefix begins every line of the trace on the console; End is the last
// line, printed once every thread of the guest has joined or the guest
// gave up waiting for them; Hung, before the header, says it gave up and
// which threads were still running.
const (
	Prefix = "UMCGTRACE "
	End    = Prefix + "END"
	Hung   = Prefix + "HUNG "
)

// ReadConsole extracts the trace from a console's output (name is for
// errors) and reads it as a umcg-2023 trace. hung is the guest's Hung
// line without the prefix ("" if every thread ended): the trace is then
// what was recorded up to that point, each sleeping call a request
// without followup. A console without End is an error that says how far
// the guest got (a guest that dies prints no trace).
func ReadConsole(r io.Reader, name string) (tr traces.Trace, hung string, err error) {
	var buf bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 2<<20)
	lines, ended := 0, false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		// The serial console may put the kernel's output before the
		// prefix on the same line; the guest's lines are whole.
		i := strings.Index(line, Prefix)
		if i < 0 {
			continue
		}
		line = line[i:]
		if strings.HasPrefix(line, Hung) && lines == 0 {
			hung = strings.TrimPrefix(line, Hung)
			continue
		}
		if line == End {
			ended = true
			break
		}
		buf.WriteString(strings.TrimPrefix(line, Prefix))
		buf.WriteByte('\n')
		lines++
	}
	if err := sc.Err(); err != nil {
		return traces.Trace{}, "", fmt.Errorf("%s: %v", name, err)
	}
	if !ended {
		return traces.Trace{}, "", fmt.Errorf("%s: the guest did not finish: %d trace lines and no %q line (it prints its trace at its end)", name, lines, End)
	}
	tr, err = traces.ReadAll(&buf, name+" (trace lines)", umcg2023.Vocabulary())
	return tr, hung, err
}
