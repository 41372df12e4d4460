package traces

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDeclared: the names a version 2 trace declares where it uses them,
// each with the ops that name it (thread, args, ret; an op naming a name
// twice counts once); listed names and the other namespace's names are
// apart; Names is the header's lists and then these.
func TestDeclared(t *testing.T) {
	const trace = `{"format":"umcg-trace","version":2,"source":"hand","clock":"ns","tasks":["s1"]}
{"thread":"s1","op":"create_group","args":{},"ret":"g1","errno":0,"call":1,"return":2}
{"thread":"s1","op":"register_server","args":{"group":"g1"},"ret":"s1","errno":0,"call":3,"return":4}
{"thread":"w1","op":"register_worker","args":{"group":"g1"},"ret":"w1","errno":0,"call":5,"return":10}
{"thread":"s1","op":"poll_worker","args":{},"ret":"w1","errno":0,"call":6,"return":7}
{"thread":"s1","op":"run_worker","args":{"worker":"w11"},"ret":null,"errno":3,"call":8,"return":9}
{"thread":"s1","op":"wake","args":{"next":"g1"},"ret":-1,"errno":3,"call":11,"return":12}
`
	tr, err := ReadAll(strings.NewReader(trace), "t.jsonl", testVocab)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range testVocab.Declared(tr) {
		got = append(got, fmt.Sprintf("%s/%v%v", d.Name, d.Group, d.Ops))
	}
	want := "g1/true[0 1 2] w1/false[2 3] w11/false[4] g1/false[5]"
	if strings.Join(got, " ") != want {
		t.Errorf("declared %q\nwant %q", strings.Join(got, " "), want)
	}
	tasks, groups := testVocab.Names(tr)
	if g, w := strings.Join(tasks, " ")+" / "+strings.Join(groups, " "), "s1 w1 w11 g1 / g1"; g != w {
		t.Errorf("names %q, want %q", g, w)
	}
	data, err := os.ReadFile("testdata/server-worker.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := ReadAll(strings.NewReader(string(data)), "v1.jsonl", testVocab); err != nil {
		t.Fatal(err)
	} else if d := testVocab.Declared(tr); len(d) != 0 {
		t.Errorf("a version 1 trace declares %v", d)
	}
}
