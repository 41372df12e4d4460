package nanos

import (
	"strings"
	"testing"
)

const console = `booting...
en1: assigned 10.0.2.15
UMCGTRACE {"format":"umcg-trace","version":1,"protocol":"umcg-2023","source":"nanos sleep 1 1 0 1","clock":"ns","tasks":["s1","w1"],"groups":[]}
UMCGTRACE {"thread":"s1","op":"register_server","args":{},"ret":0,"errno":0,"call":10,"return":20}
UMCGTRACE {"thread":"w1","op":"register_worker","phase":"request","args":{},"ret":null,"errno":0,"call":30,"return":40}
UMCGTRACE END
exit status 1
`

func TestReadConsole(t *testing.T) {
	tr, hung, err := ReadConsole(strings.NewReader(console), "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Ops) != 2 || hung != "" || tr.Header.Protocol != "umcg-2023" || tr.Header.Source != "nanos sleep 1 1 0 1" {
		t.Errorf("got %+v", tr)
	}
}

func TestReadConsoleUnfinished(t *testing.T) {
	_, _, err := ReadConsole(strings.NewReader(strings.Replace(console, "UMCGTRACE END\n", "", 1)), "c")
	if err == nil || !strings.Contains(err.Error(), "the guest did not finish: 3 trace lines") {
		t.Errorf("err = %v", err)
	}
}

func TestReadConsoleBadLine(t *testing.T) {
	_, _, err := ReadConsole(strings.NewReader(strings.Replace(console, `"op":"register_server"`, `"op":"register"`, 1)), "c")
	if err == nil || !strings.Contains(err.Error(), `c (trace lines):2: op: unknown op "register"`) {
		t.Errorf("err = %v", err)
	}
}

// TestReadConsoleHung: a guest that gave up on its threads says so before
// its header; the trace is what it recorded, a sleeping request last.
func TestReadConsoleHung(t *testing.T) {
	c := strings.Replace(console, "UMCGTRACE {\"format\"", "UMCGTRACE HUNG after 20 s, still running: w1\nUMCGTRACE {\"format\"", 1)
	tr, hung, err := ReadConsole(strings.NewReader(c), "c")
	if err != nil {
		t.Fatal(err)
	}
	if hung != "after 20 s, still running: w1" || len(tr.Ops) != 2 {
		t.Errorf("hung %q, %d ops", hung, len(tr.Ops))
	}
}
