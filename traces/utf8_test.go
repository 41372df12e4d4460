package traces

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestUTF8: a trace is UTF-8 text. Invalid UTF-8 is refused at its line
// (it would otherwise be read as U+FFFD, and two distinct names as one);
// a byte order mark at the start of the file is skipped.
func TestUTF8(t *testing.T) {
	data, err := os.ReadFile("testdata/server-worker.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReadAll(bytes.NewReader(data), "t.jsonl", testVocab)
	if err != nil {
		t.Fatal(err)
	}
	withBOM := append([]byte("\xEF\xBB\xBF"), data...)
	got, err := ReadAll(bytes.NewReader(withBOM), "t.jsonl", testVocab)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("with a BOM: %v; the trace differs: %v", err, !reflect.DeepEqual(got, want))
	}

	lines := strings.SplitAfter(string(data), "\n")
	for _, c := range []struct {
		name, from, to string
		line           int
		msg            string
	}{
		{"bad byte in a string", `"source":"`, "\"source\":\"\xff", 1, "t.jsonl:1: invalid UTF-8 at byte"},
		{"Latin-1 name", `"thread":"s1"`, "\"thread\":\"s\xe91\"", 2, "t.jsonl:2: invalid UTF-8 at byte"},
		{"BOM on line 2", `{`, "\xEF\xBB\xBF{", 2, "t.jsonl:2: invalid JSON"},
	} {
		ls := append([]string(nil), lines...)
		if !strings.Contains(ls[c.line-1], c.from) {
			t.Fatalf("%s: line %d has no %q", c.name, c.line, c.from)
		}
		ls[c.line-1] = strings.Replace(ls[c.line-1], c.from, c.to, 1)
		_, err := ReadAll(strings.NewReader(strings.Join(ls, "")), "t.jsonl", testVocab)
		if err == nil || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("%s: got %v, want %q...", c.name, err, c.msg)
		}
	}
}
