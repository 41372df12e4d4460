package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const hdr = `{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["s1","w1"],"groups":["g1"]}`

// Valid lines used to build the cases below.
const (
	runReq   = `{"thread":"s1","op":"run_worker","phase":"request","args":{"worker":"w1"},"ret":null,"errno":0,"call":1200,"return":1250}`
	runFol   = `{"thread":"s1","op":"run_worker","phase":"followup","ret":"w1","errno":0,"call":1260,"return":1900}`
	wakeLine = `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":2000,"return":2100}`
)

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// TestErrors has one case per rule: the exact error, which names the file,
// the line and the field.
func TestErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		// Lines as a whole.
		{"empty file", "", `t.jsonl:1: empty file: want the header line`},
		{"empty line", lines(hdr, ""), `t.jsonl:2: empty line`},
		{"blank line", lines(hdr, " \t\r"), `t.jsonl:2: empty line`},
		{"truncated", hdr + "\n" + runReq[:50], `t.jsonl:2: truncated line: no newline at the end of the file and the JSON is incomplete`},
		{"truncated header", hdr[:20], `t.jsonl:1: truncated line: no newline at the end of the file and the JSON is incomplete`},
		{"incomplete with newline", lines(hdr, runReq[:50]), `t.jsonl:2: invalid JSON at byte 50: unexpected end of JSON input`},
		{"invalid JSON", lines(hdr, `{"thread":"s1",}`), `t.jsonl:2: invalid JSON at byte 16: invalid character '}' looking for beginning of object key string`},
		{"invalid JSON no newline", hdr + "\n" + `{"thread" 1}`, `t.jsonl:2: invalid JSON at byte 11: invalid character '1' after object key`},
		{"two values", lines(hdr, runReq+" {}"), `t.jsonl:2: invalid JSON at byte 123: invalid character '{' after top-level value`},
		{"not an object", lines(hdr, `["s1"]`), `t.jsonl:2: want a JSON object, got an array`},
		{"string line", lines(hdr, `"s1"`), `t.jsonl:2: want a JSON object, got a string ("s1")`},

		// Header.
		{"no header", lines(runReq), `t.jsonl:1: format: missing field: line 1 must be the header {"format":"umcg-trace","version":1,...}`},
		{"format type", lines(`{"format":1,"version":1}`), `t.jsonl:1: format: wrong type: want a string, got a number (1)`},
		{"wrong format", lines(`{"format":"porcupine","version":1}`), `t.jsonl:1: format: want "umcg-trace", got "porcupine"`},
		{"missing version", lines(`{"format":"umcg-trace"}`), `t.jsonl:1: version: missing field`},
		{"version type", lines(`{"format":"umcg-trace","version":"1"}`), `t.jsonl:1: version: wrong type: want an integer, got a string ("1")`},
		{"version 3", lines(`{"format":"umcg-trace","version":3,"whatever":[]}`), `t.jsonl:1: version: unsupported version 3: this reader reads versions 1 and 2`},
		{"version 0", lines(`{"format":"umcg-trace","version":0}`), `t.jsonl:1: version: unsupported version 0: this reader reads versions 1 and 2`},
		{"huge version", lines(`{"format":"umcg-trace","version":123456789012345678901234567890}`), `t.jsonl:1: version: unsupported version 123456789012345678901234567890: this reader reads versions 1 and 2`},
		{"header duplicate", lines(`{"format":"umcg-trace","format":"umcg-trace","version":1}`), `t.jsonl:1: format: duplicate field`},
		{"header unknown field", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[],"groups":[],"tids":{}}`), `t.jsonl:1: tids: unknown field`},
		{"header odd unknown field", lines(`{"format":"umcg-trace","version":1,"a b\n":0}`), `t.jsonl:1: ["a b\n"]: unknown field`},
		{"unknown protocol", lines(`{"format":"umcg-trace","version":1,"protocol":"umcg-v0.2","source":"emu","clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: protocol: unknown protocol "umcg-v0.2": want "umcg-v0.1"`},
		{"empty protocol", lines(`{"format":"umcg-trace","version":1,"protocol":"","source":"emu","clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: protocol: empty protocol: leave the field out for "umcg-v0.1"`},
		{"protocol type", lines(`{"format":"umcg-trace","version":1,"protocol":1,"source":"emu","clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: protocol: wrong type: want a string, got a number (1)`},
		{"header missing source", lines(`{"format":"umcg-trace","version":1,"clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: source: missing field`},
		{"header missing groups", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[]}`), `t.jsonl:1: groups: missing field`},
		{"source type", lines(`{"format":"umcg-trace","version":1,"source":null,"clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: source: wrong type: want a string, got null`},
		{"empty source", lines(`{"format":"umcg-trace","version":1,"source":"","clock":"ns","tasks":[],"groups":[]}`), `t.jsonl:1: source: empty source: name the producer`},
		{"clock", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"us","tasks":[],"groups":[]}`), `t.jsonl:1: clock: unsupported clock "us": the format has "ns" only`},
		{"tasks type", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":"s1","groups":[]}`), `t.jsonl:1: tasks: wrong type: want an array of names, got a string ("s1")`},
		{"task type", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["s1",2],"groups":[]}`), `t.jsonl:1: tasks[1]: wrong type: want a string, got a number (2)`},
		{"empty task", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["s1",""],"groups":[]}`), `t.jsonl:1: tasks[1]: empty name`},
		{"duplicate task", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["s1","w1","s1"],"groups":[]}`), `t.jsonl:1: tasks[2]: duplicate name "s1"`},
		{"duplicate group", lines(`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[],"groups":["g","g"]}`), `t.jsonl:1: groups[1]: duplicate name "g"`},

		// Structure of an op line.
		{"unknown field", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2,"tid":7}`), `t.jsonl:2: tid: unknown field`},
		{"duplicate field", lines(hdr, `{"thread":"s1","thread":"w1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: duplicate field`},
		{"missing thread", lines(hdr, `{"op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: missing field`},
		{"missing op", lines(hdr, `{"thread":"s1","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: op: missing field`},
		{"missing ret", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: missing field`},
		{"missing errno", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"call":1,"return":2}`), `t.jsonl:2: errno: missing field`},
		{"missing call", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"return":2}`), `t.jsonl:2: call: missing field`},
		{"missing return", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1}`), `t.jsonl:2: return: missing field`},
		{"missing args", lines(hdr, `{"thread":"s1","op":"wake","ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args: missing field`},
		{"missing args of request", lines(hdr, `{"thread":"s1","op":"run_worker","phase":"request","ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args: missing field`},
		{"missing arg", lines(hdr, `{"thread":"s1","op":"wake","args":{},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.next: missing field`},
		{"missing phase", lines(hdr, `{"thread":"s1","op":"run_worker","args":{"worker":"w1"},"ret":"w1","errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: missing field: run_worker can sleep, so it is recorded as a "request" line and a "followup" line`},
		{"thread type", lines(hdr, `{"thread":1,"op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: wrong type: want a string, got a number (1)`},
		{"op type", lines(hdr, `{"thread":"s1","op":["wake"],"args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: op: wrong type: want a string, got an array`},
		{"unknown op", lines(hdr, `{"thread":"s1","op":"umcg_wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: op: unknown op "umcg_wake"`},
		{"phase type", lines(hdr, `{"thread":"s1","op":"run_worker","phase":1,"args":{"worker":"w1"},"ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: wrong type: want a string, got a number (1)`},
		{"unknown phase", lines(hdr, `{"thread":"s1","op":"run_worker","phase":"reply","args":{"worker":"w1"},"ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: unknown phase "reply": want "request" or "followup"`},
		{"phase call", lines(hdr, `{"thread":"s1","op":"wake","phase":"call","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: unknown phase "call": want "request" or "followup" on sleeping calls; wake cannot sleep, so its line has no phase field`},
		{"phase on non-sleeping", lines(hdr, `{"thread":"s1","op":"wake","phase":"request","args":{"next":"w1"},"ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: wake cannot sleep: its line has no phase field`},
		{"phase on event", lines(hdr, `{"thread":"w1","op":"block","phase":"followup","ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: phase: block cannot sleep: its line has no phase field`},
		{"args on followup", lines(hdr, runReq, `{"thread":"s1","op":"run_worker","phase":"followup","args":{},"ret":"w1","errno":0,"call":1260,"return":1900}`), `t.jsonl:3: args: a followup has no args (they are on its request)`},
		{"args type", lines(hdr, `{"thread":"s1","op":"wake","args":["w1"],"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args: wrong type: want an object, got an array`},
		{"args unknown key", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1","flags":0},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.flags: unknown field: wake takes only "next"`},
		{"args wrong key", lines(hdr, `{"thread":"s1","op":"wake","args":{"worker":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.worker: unknown field: wake takes only "next"`},
		{"args on no-arg op", lines(hdr, `{"thread":"s1","op":"create_group","args":{"flags":0},"ret":"g1","errno":0,"call":1,"return":2}`), `t.jsonl:2: args.flags: unknown field: create_group takes no args`},
		{"args duplicate key", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1","next":"s1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.next: duplicate field`},
		{"arg type", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":7},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.next: wrong type: want a name or null, got a number (7)`},
		{"arg empty", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":""},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.next: empty name (null is UMCG_NONE)`},
		{"ret type", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":{},"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: wrong type: want null, an integer or a name, got an object`},
		{"ret fraction", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0.5,"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: wrong type: want null, an integer or a name, got a number (0.5)`},
		{"ret huge", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":18446744073709551616,"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: out of range: 18446744073709551616 does not fit in 64 bits`},
		{"ret empty", lines(hdr, `{"thread":"s1","op":"run_worker","phase":"request","args":{"worker":"w1"},"ret":"","errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: empty name (null is UMCG_NONE)`},
		{"errno type", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":-1,"errno":"EINTR","call":1,"return":2}`), `t.jsonl:2: errno: wrong type: want an integer, got a string ("EINTR")`},
		{"errno range", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":-1,"errno":4096,"call":1,"return":2}`), `t.jsonl:2: errno: out of range: 4096 is not in [-4095, 4095]`},
		{"call type", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1e3,"return":2000}`), `t.jsonl:2: call: wrong type: want an integer, got a number (1e3)`},
		{"call huge", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":9223372036854775808,"return":2}`), `t.jsonl:2: call: out of range: 9223372036854775808 is not in [-9223372036854775808, 9223372036854775807]`},
		{"return type", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":null}`), `t.jsonl:2: return: wrong type: want an integer, got null`},

		// Values of an op line.
		{"empty thread", lines(hdr, `{"thread":"","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: empty name`},
		{"request ret", lines(hdr, `{"thread":"s1","op":"run_worker","phase":"request","args":{"worker":"w1"},"ret":"w1","errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: a request's ret must be null (the call's result is its followup's), got "w1"`},
		{"request errno", lines(hdr, `{"thread":"s1","op":"run_worker","phase":"request","args":{"worker":"w1"},"ret":null,"errno":22,"call":1,"return":2}`), `t.jsonl:2: errno: a request's errno must be 0 (the call's errno is its followup's)`},
		{"event ret", lines(hdr, `{"thread":"w1","op":"block","args":{},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: a kernel event's ret must be null, got 0`},
		{"event errno", lines(hdr, `{"thread":"w1","op":"preempt","args":{},"ret":null,"errno":4,"call":1,"return":2}`), `t.jsonl:2: errno: a kernel event's errno must be 0`},
		{"event args", lines(hdr, `{"thread":"s1","op":"preempt","args":{"worker":"w1"},"ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.worker: unknown field: preempt takes no args`},
		{"int ret wanted", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":null,"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: wake returns an integer, got null`},
		{"name ret wanted", lines(hdr, runReq, `{"thread":"s1","op":"run_worker","phase":"followup","ret":0,"errno":0,"call":1260,"return":1900}`), `t.jsonl:3: ret: run_worker returns a task name or null, got 0`},
		{"state ret wanted", lines(hdr, `{"thread":"s1","op":"get_task_state","args":{"task":"w1"},"ret":5,"errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: get_task_state returns a task state name, got 5`},
		{"unknown state", lines(hdr, `{"thread":"s1","op":"get_task_state","args":{"task":"w1"},"ret":"RUNNING|PREEMPTED","errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: unknown task state "RUNNING|PREEMPTED" (want a v0.1 state name such as "RUNNABLE", optionally with "|WAKEUP_QUEUED")`},
		{"negative call", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":-5,"return":2}`), `t.jsonl:2: call: negative time -5`},
		{"call after return", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":3,"return":2}`), `t.jsonl:2: return: return 2 is before call 3`},

		// Context: the header's names, pairing, time order.
		{"unknown thread", lines(hdr, `{"thread":"x","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: unknown thread "x": not in the header's tasks`},
		{"unknown thread in args", lines(hdr, `{"thread":"s1","op":"wake","args":{"next":"w2"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: args.next: unknown thread "w2": not in the header's tasks`},
		{"long name", lines(hdr, `{"thread":"`+strings.Repeat("x", 5000)+`","op":"wake","args":{"next":"w1"},"ret":0,"errno":0,"call":1,"return":2}`), `t.jsonl:2: thread: unknown thread "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...": not in the header's tasks`},
		{"group is not a thread", lines(hdr, `{"thread":"s1","op":"get_task_state","args":{"task":"g1"},"ret":"NONE","errno":0,"call":1,"return":2}`), `t.jsonl:2: args.task: unknown thread "g1": not in the header's tasks`},
		{"unknown thread in ret", lines(hdr, runReq, `{"thread":"s1","op":"run_worker","phase":"followup","ret":"w7","errno":0,"call":1260,"return":1900}`), `t.jsonl:3: ret: unknown thread "w7": not in the header's tasks`},
		{"unknown group", lines(hdr, `{"thread":"s1","op":"register_server","args":{"group":"g2"},"ret":"s1","errno":0,"call":1,"return":2}`), `t.jsonl:2: args.group: unknown group "g2": not in the header's groups`},
		{"unknown group in ret", lines(hdr, `{"thread":"s1","op":"create_group","args":{},"ret":"s1","errno":0,"call":1,"return":2}`), `t.jsonl:2: ret: unknown group "s1": not in the header's groups`},
		{"followup without request", lines(hdr, runFol), `t.jsonl:2: phase: followup without a request: thread "s1" has no pending run_worker request`},
		{"followup twice", lines(hdr, runReq, runFol, `{"thread":"s1","op":"run_worker","phase":"followup","ret":"w1","errno":0,"call":2000,"return":2100}`), `t.jsonl:4: phase: followup without a request: thread "s1" has no pending run_worker request`},
		{"followup of another op", lines(hdr, runReq, `{"thread":"s1","op":"poll_worker","phase":"followup","ret":"w1","errno":0,"call":1260,"return":1900}`), `t.jsonl:3: op: followup of poll_worker, but the pending request of thread "s1" (line 2) is run_worker`},
		{"request not followed up", lines(hdr, runReq, wakeLine), `t.jsonl:3: phase: thread "s1" has a pending run_worker request (line 2): its next line must be that request's followup`},
		{"two requests", lines(hdr, runReq, strings.Replace(strings.Replace(runReq, "1200", "1300", 1), "1250", "1350", 1)), `t.jsonl:3: phase: thread "s1" has a pending run_worker request (line 2): its next line must be that request's followup`},
		{"times out of order", lines(hdr, runReq, strings.Replace(runFol, `"call":1260`, `"call":1249`, 1)), `t.jsonl:3: call: times out of order: call 1249 is before return 1250 of the previous op of thread "s1" (line 2)`},
		{"event out of order", lines(hdr, `{"thread":"w1","op":"block","args":{},"ret":null,"errno":0,"call":10,"return":20}`, `{"thread":"w1","op":"unblock","args":{},"ret":null,"errno":0,"call":15,"return":30}`), `t.jsonl:3: call: times out of order: call 15 is before return 20 of the previous op of thread "w1" (line 2)`},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if seen[c.name] {
				t.Fatal("duplicate case name")
			}
			seen[c.name] = true
			_, err := ReadAll(strings.NewReader(c.in), "t.jsonl", testVocab)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want *Error %s", err, err, c.want)
			}
			if got := err.Error(); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			// The parts agree with the text.
			prefix := e.File + ":" + strconv.Itoa(e.Line) + ": "
			if e.Field != "" {
				prefix += e.Field + ": "
			}
			if !strings.HasPrefix(c.want, prefix) || e.File != "t.jsonl" || e.Line < 1 {
				t.Fatalf("parts %q %d %q do not match %s", e.File, e.Line, e.Field, c.want)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err.Error())
			}
		})
	}
}

// TestPendingAtEnd: a request never followed up is legal at the end of the
// trace, for any number of threads.
func TestPendingAtEnd(t *testing.T) {
	in := lines(hdr, runReq, `{"thread":"w1","op":"register_worker","phase":"request","args":{"group":"g1"},"ret":null,"errno":0,"call":5,"return":6}`)
	tr, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab)
	if err != nil || len(tr.Ops) != 2 {
		t.Fatalf("got %d ops, %v", len(tr.Ops), err)
	}
}

// TestNoTrailingNewline: a complete last line needs no newline; CRLF line
// ends are accepted; whitespace inside a line is accepted.
func TestLenientInput(t *testing.T) {
	for _, in := range []string{
		hdr + "\n" + runReq,
		hdr + "\r\n" + runReq + "\r\n",
		hdr + "\n" + strings.ReplaceAll(runReq, ",", " ,\t") + "\n",
		hdr,
	} {
		if _, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestLongLines(t *testing.T) {
	pad := func(s string, n int) string { return s[:len(s)-1] + strings.Repeat(" ", n-len(s)) + "}" }
	ok := pad(runReq, MaxLineBytes)
	if len(ok) != MaxLineBytes {
		t.Fatal(len(ok))
	}
	for _, in := range []string{hdr + "\n" + ok + "\n", hdr + "\n" + ok} {
		if _, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab); err != nil {
			t.Errorf("line of exactly MaxLineBytes: %v", err)
		}
	}
	long := pad(runReq, MaxLineBytes+1)
	want := "t.jsonl:2: line longer than 1048576 bytes"
	for _, in := range []string{hdr + "\n" + long + "\n", hdr + "\n" + long, hdr + "\n" + strings.Repeat("x", 5*MaxLineBytes)} {
		if _, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab); err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	}
}

type failReader struct{ err error }

func (f failReader) Read([]byte) (int, error) { return 0, f.err }

func TestReadErrorAndStickiness(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader(hdr+"\n"+runReq+"\n"), failReader{boom}), "t.jsonl", testVocab)
	if _, err := r.Header(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil || r.Line() != 2 {
		t.Fatal(err, r.Line())
	}
	_, err := r.Next()
	if !errors.Is(err, boom) || err.Error() != "t.jsonl:3: read error: boom" {
		t.Fatalf("got %v", err)
	}
	if _, err2 := r.Next(); err2 != err {
		t.Fatalf("error not sticky: %v", err2)
	}
	if h, err := r.Header(); err != nil || h.Source != "emu" {
		t.Fatalf("Header after a later error: %v %v", h, err)
	}

	r = NewReader(strings.NewReader(lines(hdr, runReq, runReq, runFol)), "t.jsonl", testVocab)
	r.Next()
	_, err = r.Next()
	if err == nil {
		t.Fatal("want an error")
	}
	for i := 0; i < 3; i++ {
		if _, err2 := r.Next(); err2 != err {
			t.Fatalf("error not sticky: %v", err2)
		}
	}
	r = NewReader(strings.NewReader(hdr+"\n"), "t.jsonl", testVocab)
	for i := 0; i < 3; i++ {
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("got %v, want io.EOF", err)
		}
	}
	r = NewReader(strings.NewReader("{}\n"), "t.jsonl", testVocab)
	_, err = r.Header()
	if _, err2 := r.Next(); err == nil || err2 != err {
		t.Fatalf("Next after a bad header: %v, %v", err, err2)
	}
}

// TestTestdata reads every example trace: the valid ones read and are in
// canonical form (writing them back gives the same bytes); each invalid one
// fails with its error.
func TestTestdata(t *testing.T) {
	bad := map[string]string{
		"bad-version.jsonl":                  `version: unsupported version 3: this reader reads versions 1 and 2`,
		"bad-no-header.jsonl":                `1: format: missing field: line 1 must be the header {"format":"umcg-trace","version":1,...}`,
		"bad-truncated.jsonl":                `2: truncated line: no newline at the end of the file and the JSON is incomplete`,
		"bad-unknown-thread.jsonl":           `2: args.worker: unknown thread "w9": not in the header's tasks`,
		"bad-unknown-group.jsonl":            `2: args.group: unknown group "g2": not in the header's groups`,
		"bad-out-of-order.jsonl":             `3: call: times out of order: call 1240 is before return 1250 of the previous op of thread "s1" (line 2)`,
		"bad-followup-without-request.jsonl": `2: phase: followup without a request: thread "s1" has no pending run_worker request`,
		"bad-request-not-followed-up.jsonl":  `3: phase: thread "s1" has a pending poll_worker request (line 2): its next line must be that request's followup`,
		"bad-unknown-op.jsonl":               `2: op: unknown op "preempt_worker"`,
		"bad-unknown-field.jsonl":            `2: tid: unknown field`,
		"bad-call-after-return.jsonl":        `2: return: return 1250 is before call 1300`,
		"bad-wrong-type.jsonl":               `2: ret: wake returns an integer, got "0"`,
		"bad-missing-field.jsonl":            `2: return: missing field`,
		"bad-v1-one-record.jsonl":            `3: phase: missing field: wait can sleep, so it is recorded as a "request" line and a "followup" line`,
		"bad-v1-outcome.jsonl":               `3: outcome: unknown field`,
		"bad-v2-op-after-unknown.jsonl":      `4: op: thread "c1" has an op of unknown outcome (line 3): that op is the thread's last line, but for its death ("died")`,
		"bad-v2-op-after-died.jsonl":         `4: thread: thread "c1" died (line 3): it has no later line`,
		"bad-v2-unknown-with-ret.jsonl":      `3: ret: an op of unknown outcome has no ret`,
		"bad-v2-signal-on-request.jsonl":     `3: signal: a request has no signal: a signal during the sleep is its followup's`,
		"bad-v2-signal-range.jsonl":          `3: signal: out of range: 65 is not in [1, 64]`,
		"bad-v2-group-reused.jsonl":          `4: ret: group "g1" was created already (line 2): a group name names one group; give a group created after destroy_group a new name`,
	}
	files, _ := filepath.Glob("testdata/*.jsonl")
	nValid := 0
	for _, f := range files {
		base := filepath.Base(f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := ReadAll(bytes.NewReader(data), f, testVocab)
		if !strings.HasPrefix(base, "bad-") {
			nValid++
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			var buf bytes.Buffer
			if err := WriteAll(&buf, tr, testVocab); err != nil {
				t.Errorf("%s: write: %v", f, err)
			} else if !bytes.Equal(buf.Bytes(), data) {
				t.Errorf("%s is not in canonical form; canonical:\n%s", f, buf.Bytes())
			}
			continue
		}
		want, ok := bad[base]
		if !ok {
			t.Errorf("%s: no expected error in the table", f)
			continue
		}
		delete(bad, base)
		if err == nil {
			t.Errorf("%s: read without error", f)
		} else if !strings.HasPrefix(err.Error(), f+":") || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("got  %v\nwant %s:...%s", err, f, want)
		}
	}
	for f := range bad {
		t.Errorf("testdata/%s is missing", f)
	}
	if nValid < 3 {
		t.Errorf("only %d valid example traces", nValid)
	}
}

// TestAllOpsExample: testdata/all-ops.jsonl uses every op kind, every phase,
// every Ret kind, null args, errors and a pending request at the end.
func TestAllOpsExample(t *testing.T) {
	f, err := os.Open("testdata/all-ops.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadAll(f, "all-ops.jsonl", testVocab)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[OpKind]bool{}
	phases := map[Phase]bool{}
	rets := map[RetKind]bool{}
	nullArg, errnoSet, negErrno := false, false, false
	for _, op := range tr.Ops {
		seen[op.Kind] = true
		phases[op.Phase] = true
		rets[op.Ret.Kind] = true
		nullArg = nullArg || (specOf(op.Kind).arg != argNone && op.Phase != PhaseFollowup && op.Args.get(specOf(op.Kind).arg) == "")
		errnoSet = errnoSet || op.Errno > 0
		negErrno = negErrno || op.Errno < 0
	}
	for _, k := range kinds() {
		if !seen[k] {
			t.Errorf("no %s", k)
		}
	}
	if len(phases) != 3 || len(rets) != 3 || !nullArg || !errnoSet || !negErrno {
		t.Errorf("phases %v rets %v nullArg %v errno %v negative errno %v", phases, rets, nullArg, errnoSet, negErrno)
	}
	if last := tr.Ops[len(tr.Ops)-1]; last.Phase != PhaseRequest {
		t.Errorf("last op %+v is not a pending request", last)
	}
}

// TestDocExamples reads every ```jsonl block of docs/trace-format.md as a
// whole trace: valid ones must read, and a block preceded by a line
// "<!-- error: MSG -->" must fail with exactly that error.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)(<!-- error: ([^\n]*) -->\n)?```jsonl\n(.*?)```")
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		n++
		_, err := ReadAll(strings.NewReader(m[3]), "example.jsonl", testVocab)
		switch {
		case m[2] == "" && err != nil:
			t.Errorf("docs example %d: %v\n%s", n, err, m[3])
		case m[2] != "" && (err == nil || err.Error() != m[2]):
			t.Errorf("docs example %d: got %v, want %s", n, err, m[2])
		}
	}
	if n < 2 {
		t.Fatalf("found %d examples in docs/trace-format.md", n)
	}
}

// TestProtocol: a header may name its protocol; the Reader and the Writer
// use that protocol's vocabulary, and a trace with the field written out
// reads back with it and is written back the same.
func TestProtocol(t *testing.T) {
	explicit := `{"format":"umcg-trace","version":1,"protocol":"umcg-v0.1","source":"emu","clock":"ns","tasks":["s1","w1"],"groups":["g1"]}`
	in := lines(explicit, runReq, runFol)
	tr, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab)
	if err != nil || tr.Header.Protocol != DefaultProtocol {
		t.Fatalf("%v, protocol %q", err, tr.Header.Protocol)
	}
	var buf bytes.Buffer
	if err := WriteAll(&buf, tr, testVocab); err != nil || buf.String() != in {
		t.Fatalf("%v: wrote\n%s", err, buf.String())
	}
	toy := mustVocab("toy", []OpSpec{{Name: "lock", Sleeps: true, Ret: RetsInt}, {Name: "unlock", Ret: RetsInt}}, States{})
	both := List{testVocab, toy}
	in = lines(`{"format":"umcg-trace","version":1,"protocol":"toy","source":"emu","clock":"ns","tasks":["a"],"groups":[]}`,
		`{"thread":"a","op":"lock","phase":"request","args":{},"ret":null,"errno":0,"call":1,"return":2}`,
		`{"thread":"a","op":"run_worker","phase":"followup","ret":0,"errno":0,"call":3,"return":4}`)
	_, err = ReadAll(strings.NewReader(in), "t.jsonl", both)
	if err == nil || err.Error() != `t.jsonl:3: op: unknown op "run_worker"` {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadAll(strings.NewReader(in), "t.jsonl", testVocab); err == nil || err.Error() != `t.jsonl:1: protocol: unknown protocol "toy": want "umcg-v0.1"` {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadAll(strings.NewReader(lines(hdr)), "t.jsonl", nil); err == nil || err.Error() != `t.jsonl:1: protocol: unknown protocol "umcg-v0.1": no protocol was given to read it with` {
		t.Fatalf("got %v", err)
	}
	if err := NewWriter(&buf, testVocab).WriteHeader(Header{Version: 1, Protocol: "toy", Source: "emu", Clock: ClockNS}); err == nil || err.Error() != `1: protocol: unknown protocol "toy": want "umcg-v0.1"` {
		t.Fatalf("got %v", err)
	}
	for _, bad := range [][]OpSpec{{{Name: "Lock", Ret: RetsInt}}, {{Name: "a", Ret: RetsInt}, {Name: "a", Ret: RetsInt}},
		{{Name: "a", Arg: "x", Ret: RetsInt}}, {{Name: "a"}}, {{Name: "e", Event: true, Sleeps: true}}, {{Name: "s", Ret: RetsState}}, {{Name: "died", Event: true}}} {
		if _, err := NewVocabulary("p", bad, States{}); err == nil {
			t.Errorf("NewVocabulary accepts %+v", bad)
		}
	}
}

// TestStates: get_task_state's names are a state, optionally with the flag.
func TestStates(t *testing.T) {
	for _, good := range []string{"NONE", "RUNNING", "RUNNING|WAKEUP_QUEUED", "UNBLOCKED|WAKEUP_QUEUED"} {
		if !testVocab.validState(good) {
			t.Errorf("%q is not accepted", good)
		}
	}
	for _, bad := range []string{"", "running", "STATE(8)", "RUNNING|0x200", "|WAKEUP_QUEUED", "RUNNING|WAKEUP_QUEUED|WAKEUP_QUEUED", "RUNNING|"} {
		if testVocab.validState(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
