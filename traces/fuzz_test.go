package traces

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReader: on any input the Reader must not panic, and must either
// return an *Error naming the file and a line (one line of text), or a
// trace that round-trips: written canonically, read back equal, written
// again to the same bytes, every line valid against schema.json. The ops
// read before an error must be accepted by the Writer too (every prefix of
// a valid trace is valid).
//
// The seed corpus is testdata/fuzz/FuzzReader, a few lines, and every
// trace of testdata.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		hdr + "\n" + runReq + "\n" + runFol + "\n",
		hdr + "\n" + runReq,
		hdr + "\n" + wakeLine + "\n",
		"",
		"{}\n",
	} {
		f.Add([]byte(s))
	}
	// Every example trace, valid or not: among them, each form of version
	// 2 (one-line sleeping calls, unknown outcomes, signals, deaths,
	// names declared where they appear) and each of its errors.
	files, _ := filepath.Glob("testdata/*.jsonl")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	s := loadSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz.jsonl", testVocab)
		var tr Trace
		var err error
		tr.Header, err = r.Header()
		for err == nil {
			var op Op
			op, err = r.Next()
			if err == nil {
				tr.Ops = append(tr.Ops, op)
			}
		}
		if err != io.EOF {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, not *Error", err, err)
			}
			if e.File != "fuzz.jsonl" || e.Line < 1 || e.Msg == "" || !strings.HasPrefix(e.Error(), "fuzz.jsonl:") ||
				strings.ContainsAny(e.Error(), "\r\n") || len(e.Error()) > 600 {
				t.Fatalf("malformed error %q (%+v)", e.Error(), e)
			}
			if e.Line != r.Line() {
				t.Fatalf("error at line %d, Reader.Line %d", e.Line, r.Line())
			}
			if e.Line == 1 {
				return
			}
		}
		var buf bytes.Buffer
		if werr := WriteAll(&buf, tr, testVocab); werr != nil {
			t.Fatalf("the Writer rejects what the Reader accepted: %v", werr)
		}
		if err != io.EOF {
			return
		}
		written := bytes.Clone(buf.Bytes())
		back, rerr := ReadAll(bytes.NewReader(written), "canonical.jsonl", testVocab)
		if rerr != nil {
			t.Fatalf("canonical form does not read: %v\n%s", rerr, written)
		}
		if !equalTraces(tr, back) {
			t.Fatalf("round trip differs:\nread %+v\nback %+v", tr, back)
		}
		buf.Reset()
		if werr := WriteAll(&buf, back, testVocab); werr != nil || !bytes.Equal(buf.Bytes(), written) {
			t.Fatalf("canonical form is not stable: %v", werr)
		}
		checkSchemaLines(t, s, "canonical.jsonl", written)
	})
}
