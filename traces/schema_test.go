package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// This file keeps schema.json, the Reader and the Go tables in agreement.
// Lines are validated by a maintained JSON Schema validator
// (santhosh-tekuri/jsonschema, draft 2020-12).

// jsonSchema is schema.json, decoded (for the tests that compare it with
// the Go tables) and compiled whole and per $defs entry.
type jsonSchema struct {
	root   any
	whole  *jsonschema.Schema
	header *jsonschema.Schema
	op     *jsonschema.Schema
}

func loadSchema(t testing.TB) *jsonSchema {
	t.Helper()
	root, err := decodeAny([]byte(Schema))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(Schema))
	if err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	s := &jsonSchema{root: root}
	for _, x := range []struct {
		ref string
		dst **jsonschema.Schema
	}{{"schema.json", &s.whole}, {"schema.json#/$defs/header", &s.header}, {"schema.json#/$defs/op", &s.op}} {
		if *x.dst, err = c.Compile(x.ref); err != nil {
			t.Fatalf("compiling %s: %v", x.ref, err)
		}
	}
	return s
}

// decodeAny decodes one JSON value with numbers as json.Number.
func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

// def returns $defs/name, decoded.
func (s *jsonSchema) def(name string) any {
	return s.root.(map[string]any)["$defs"].(map[string]any)[name]
}

// validLine reports whether a JSON line validates against the whole schema
// and, if so, which $defs it validates against ("header" or "op").
func (s *jsonSchema) validLine(line []byte) (bool, string) {
	v, err := decodeAny(line)
	if err != nil {
		return false, ""
	}
	if s.whole.Validate(v) != nil {
		return false, ""
	}
	if s.header.Validate(v) == nil {
		return true, "header"
	}
	return true, "op"
}

// collect walks the schema and returns, for every object with "properties",
// the keys of those properties, and every string of every "enum" or "const".
func collect(v any, props map[string]bool, strs map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if p, ok := v["properties"].(map[string]any); ok {
			for k := range p {
				props[k] = true
			}
		}
		if e, ok := v["enum"].([]any); ok {
			for _, s := range e {
				if s, ok := s.(string); ok {
					strs[s] = true
				}
			}
		}
		if c, ok := v["const"].(string); ok {
			strs[c] = true
		}
		for _, sub := range v {
			collect(sub, props, strs)
		}
	case []any:
		for _, sub := range v {
			collect(sub, props, strs)
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// enumOf returns the strings of the op enum of the if-condition of the
// allOf entry whose then/else mentions want (used to find the sleeping and
// event lists).
func opCondition(entry map[string]any) []string {
	cond, ok := entry["if"].(map[string]any)
	if !ok {
		return nil
	}
	props, ok := cond["properties"].(map[string]any)
	if !ok {
		return nil
	}
	op, ok := props["op"].(map[string]any)
	if !ok {
		return nil
	}
	if c, ok := op["const"].(string); ok {
		return []string{c}
	}
	var out []string
	for _, e := range op["enum"].([]any) {
		out = append(out, e.(string))
	}
	return out
}

// TestSchemaNamesEverything checks schema.json against the Go tables: the
// same header and op fields, the same ops, the same sleeping calls, events,
// args and return sets, so that neither can change without the other.
func TestSchemaNamesEverything(t *testing.T) {
	s := loadSchema(t)
	if got := s.root.(map[string]any)["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", got)
	}
	header := s.def("header").(map[string]any)
	if got, want := keys(header["properties"].(map[string]any)), sorted(headerKeys); !slices.Equal(got, want) {
		t.Errorf("header properties %v, reader's %v", got, want)
	}
	var req []string
	for _, r := range header["required"].([]any) {
		req = append(req, r.(string))
	}
	want2 := []string{"format", "version"}
	for _, k := range requiredHeaderKeys {
		if !slices.Contains(optionalHeaderKeys2, k) {
			want2 = append(want2, k)
		}
	}
	if !slices.Equal(req, want2) {
		t.Errorf("header required %v, reader's in version 2 %v", req, want2)
	}
	v1 := header["allOf"].([]any)[0].(map[string]any)["then"].(map[string]any)["required"].([]any)
	var req1 []string
	for _, r := range v1 {
		req1 = append(req1, r.(string))
	}
	if !slices.Equal(req1, optionalHeaderKeys2) {
		t.Errorf("header required in version 1 only %v, reader's %v", req1, optionalHeaderKeys2)
	}
	// The schema is that of DefaultProtocol's traces (testVocab's).
	if got := header["properties"].(map[string]any)["protocol"].(map[string]any)["const"]; got != DefaultProtocol {
		t.Errorf("header protocol %v, want %q", got, DefaultProtocol)
	}
	op := s.def("op").(map[string]any)
	opProps := op["properties"].(map[string]any)
	if got, want := keys(opProps), sorted(opKeys); !slices.Equal(got, want) {
		t.Errorf("op properties %v, reader's %v", got, want)
	}
	var names []string
	for _, k := range kinds() {
		names = append(names, k.String())
	}
	names = append(names, Died.String())
	var enum []string
	for _, e := range opProps["op"].(map[string]any)["enum"].([]any) {
		enum = append(enum, e.(string))
	}
	if !slices.Equal(enum, names) {
		t.Errorf("op enum %v, Kinds %v", enum, names)
	}
	var phases []string
	for _, e := range opProps["phase"].(map[string]any)["enum"].([]any) {
		phases = append(phases, e.(string))
	}
	if want := []string{PhaseRequest.String(), PhaseFollowup.String()}; !slices.Equal(phases, want) {
		t.Errorf("phase enum %v, want %v", phases, want)
	}

	// Each allOf entry conditioned on op lists a set of kinds; derive the
	// same sets from the Go table and compare.
	want := map[string][]string{}
	add := func(key string, k OpKind) { want[key] = append(want[key], k.String()) }
	for _, k := range kinds() {
		sp := specOf(k)
		if sp.sleeps {
			add("sleeps", k)
		}
		if sp.event {
			add("event", k)
		} else {
			add("args:"+argNames[sp.arg], k)
			add("ret:"+retPhrase(sp.ret), k)
		}
	}
	add("event", Died)
	got := map[string][]string{}
	for _, e := range op["allOf"].([]any) {
		entry := e.(map[string]any)
		kinds := opCondition(entry)
		if kinds == nil {
			continue
		}
		then := entry["then"].(map[string]any)
		var key string
		switch {
		case entry["else"] != nil:
			key = "sleeps"
		case then["properties"] != nil && then["properties"].(map[string]any)["errno"] != nil:
			key = "event"
		case then["properties"] != nil && then["properties"].(map[string]any)["args"] != nil:
			a := then["properties"].(map[string]any)["args"].(map[string]any)
			key = "args:"
			if p, ok := a["properties"].(map[string]any); ok {
				key += strings.Join(keys(p), ",")
			}
		default:
			key = "ret"
		}
		if key == "ret" {
			// Classify by kind: all kinds of one entry share a return set.
			key = "ret:" + retPhrase(specOf(mustKind(t, kinds[0])).ret)
		}
		got[key] = append(got[key], kinds...)
	}
	// create_group's ret (null, a group or an integer) is what the op
	// property's type allows; it needs no entry of its own.
	delete(want, "ret:"+retPhrase(specOf(OpKind("create_group")).ret))
	for k := range want {
		if !slices.Equal(sorted(got[k]), sorted(want[k])) {
			t.Errorf("%s: schema lists %v, Go tables %v", k, sorted(got[k]), sorted(want[k]))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("schema has a rule %s for %v that the Go tables lack", k, got[k])
		}
	}

	// The state pattern names exactly the state names.
	var pattern string
	for _, e := range op["allOf"].([]any) {
		if then, ok := e.(map[string]any)["then"].(map[string]any); ok {
			if p, ok := then["properties"].(map[string]any); ok {
				if r, ok := p["ret"].(map[string]any); ok && r["pattern"] != nil {
					pattern = r["pattern"].(string)
				}
			}
		}
	}
	if wantP := "^(" + strings.Join(testVocab.states.Names, "|") + ")(\\|WAKEUP_QUEUED)?$"; pattern != wantP {
		t.Errorf("state pattern %q, want %q", pattern, wantP)
	}

	// Every field and enum string the schema mentions is one the reader knows.
	props, strs := map[string]bool{}, map[string]bool{}
	collect(s.root, props, strs)
	known := map[string]bool{}
	for _, k := range append(append(slices.Clone(headerKeys), opKeys...), argNames[1:]...) {
		known[k] = true
	}
	for p := range props {
		if !known[p] {
			t.Errorf("schema names field %q that the reader does not know", p)
		}
	}
	for str := range strs {
		if testVocab.lookup(OpKind(str), LatestVersion) == nil && str != "request" && str != "followup" && str != Format && str != ClockNS &&
			str != DefaultProtocol && str != OutcomeUnknown.String() {
			t.Errorf("schema names %q, which is no op, phase, outcome, format, clock or protocol", str)
		}
	}
}

func mustKind(t *testing.T, s string) OpKind {
	k := OpKind(s)
	if testVocab.spec(k) == nil {
		t.Fatalf("schema names unknown op %q", s)
	}
	return k
}

// lineLocal runs the Reader's checks of one op line on its own (no header,
// no context) and reports whether it passes.
func lineLocal(line []byte) error {
	if !json.Valid(line) {
		return fmt.Errorf("invalid JSON")
	}
	v := parseJSON(line)
	if v.kind != jObj {
		return fmt.Errorf("not an object")
	}
	op, _, e := decodeOp(v, testVocab, LatestVersion)
	if e == nil {
		e = op.validate(testVocab, LatestVersion)
	}
	if e != nil {
		return e
	}
	return nil
}

func headerLocal(line []byte) error {
	if !json.Valid(line) {
		return fmt.Errorf("invalid JSON")
	}
	v := parseJSON(line)
	if v.kind != jObj {
		return fmt.Errorf("not an object")
	}
	h, e := decodeHeader(v)
	if e == nil {
		e = h.validate()
	}
	if e != nil {
		return e
	}
	return nil
}

// TestSchemaAgreesWithReader builds op lines from every combination of
// kinds, phases, args, rets and errnos, valid or not, and checks that the
// schema accepts a line (as an op) exactly when the Reader's one-line
// checks do.
func TestSchemaAgreesWithReader(t *testing.T) {
	s := loadSchema(t)
	opNames := []string{`"bogus"`, `3`, `"` + Died.String() + `"`}
	for _, k := range kinds() {
		opNames = append(opNames, `"`+k.String()+`"`)
	}
	phases := []string{"", `"request"`, `"followup"`, `"call"`, `1`}
	args := []string{"", `{}`, `{"group":"g"}`, `{"group":null}`, `{"worker":"w"}`, `{"next":"n"}`,
		`{"task":"t"}`, `{"task":""}`, `{"worker":3}`, `{"group":"g","x":1}`, `"w"`}
	rets := []string{`null`, `0`, `-1`, `"w1"`, `"RUNNING"`, `"RUNNING|WAKEUP_QUEUED"`, `"RUN"`, `""`, `1.5`, `true`, `[]`}
	errnos := []string{`0`, `4`}
	// Version 2's fields: the outcome (with or without the fields it
	// excludes) and the signal.
	extras := []string{"", `,"signal":9`, `,"signal":0`, `,"signal":65`, `,"outcome":"unknown"`, `,"outcome":"ok"`}
	n, accepted := 0, 0
	check := func(line string) {
		t.Helper()
		n++
		errR := lineLocal([]byte(line))
		okS, def := s.validLine([]byte(line))
		readerOK := errR == nil
		var e *Error
		if errors.As(errR, &e) && e.Field == "return" && strings.Contains(e.Msg, "is before call") {
			// call <= return relates two fields: JSON Schema cannot say it.
			readerOK = true
		}
		if readerOK != (okS && def == "op") {
			t.Fatalf("disagreement on %s\nreader: %v\nschema: valid=%v as %q", line, errR, okS, def)
		}
		if errR == nil {
			accepted++
		}
	}
	for _, o := range opNames {
		for _, p := range phases {
			for _, a := range args {
				for _, r := range rets {
					for _, e := range errnos {
						var b strings.Builder
						b.WriteString(`{"thread":"t1","op":` + o)
						if p != "" {
							b.WriteString(`,"phase":` + p)
						}
						if a != "" {
							b.WriteString(`,"args":` + a)
						}
						b.WriteString(`,"ret":` + r + `,"errno":` + e + `,"call":1,"return":2}`)
						check(b.String())
					}
				}
				for _, x := range extras {
					for _, tail := range []string{`,"call":1}`, `,"ret":null,"errno":0,"call":1,"return":2}`, `,"call":1,"return":1}`, `}`} {
						var b strings.Builder
						b.WriteString(`{"thread":"t1","op":` + o)
						if p != "" {
							b.WriteString(`,"phase":` + p)
						}
						if a != "" {
							b.WriteString(`,"args":` + a)
						}
						if !strings.Contains(x, "outcome") { // a key twice is the reader's alone
							b.WriteString(x + `,"outcome":"unknown"` + tail)
							check(b.String())
						}
						b.Reset()
						b.WriteString(`{"thread":"t1","op":` + o)
						if p != "" {
							b.WriteString(`,"phase":` + p)
						}
						if a != "" {
							b.WriteString(`,"args":` + a)
						}
						b.WriteString(`,"ret":null,"errno":0` + x + `,"call":1,"return":2}`)
						check(b.String())
					}
				}
			}
		}
	}
	// Field-level variations of one valid line.
	base := map[string]string{"thread": `"t1"`, "op": `"wake"`, "args": `{"next":"t2"}`, "ret": `0`, "errno": `0`, "call": `5`, "return": `7`}
	variants := map[string][]string{
		"thread": {`""`, `3`, `null`, `"ü"`, `"a\"b"`},
		"errno":  {`-1`, `4095`, `-4095`, `4096`, `-4096`, `"EINTR"`, `null`},
		"call":   {`0`, `7`, `8`, `-1`, `"5"`, `9223372036854775807`},
		"return": {`5`, `4`, `-1`, `9223372036854775807`, `null`},
		"ret":    {`9223372036854775807`, `-9223372036854775808`},
	}
	for f, vs := range variants {
		for _, v := range append(vs, "") {
			var b strings.Builder
			b.WriteString("{")
			first := true
			for _, k := range opKeys {
				val, ok := base[k]
				if k == f {
					val, ok = v, v != ""
				}
				if !ok {
					continue
				}
				if !first {
					b.WriteString(",")
				}
				first = false
				b.WriteString(`"` + k + `":` + val)
			}
			b.WriteString("}")
			check(b.String())
		}
	}
	check(`{"thread":"t1","op":"wake","args":{"next":"t2"},"ret":0,"errno":0,"call":5,"return":7,"extra":1}`)
	if accepted == 0 || accepted == n {
		t.Fatalf("%d of %d lines accepted: the test does not discriminate", accepted, n)
	}
	t.Logf("%d lines, %d valid", n, accepted)

	// Headers.
	for _, h := range []string{
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["a","b"],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":["a","a"],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[""],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"","clock":"ns","tasks":[],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"us","tasks":[],"groups":[]}`,
		`{"format":"umcg-trace","version":2,"source":"emu","clock":"ns","tasks":[],"groups":[]}`,
		`{"format":"other","version":1,"source":"emu","clock":"ns","tasks":[],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[],"groups":[],"x":0}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":[1],"groups":[]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","tasks":"a","groups":[]}`,
		`{"format":"umcg-trace","version":2,"source":"emu","clock":"ns"}`,
		`{"format":"umcg-trace","version":2,"source":"emu","clock":"ns","tasks":["a"]}`,
		`{"format":"umcg-trace","version":2,"source":"emu","clock":"ns","groups":["a","a"]}`,
		`{"format":"umcg-trace","version":1,"source":"emu","clock":"ns","groups":[]}`,
		`{"format":"umcg-trace","version":3,"source":"emu","clock":"ns"}`,
	} {
		errR := headerLocal([]byte(h))
		okS, def := s.validLine([]byte(h))
		if (errR == nil) != (okS && def == "header") {
			t.Errorf("disagreement on %s\nreader: %v\nschema: valid=%v as %q", h, errR, okS, def)
		}
	}
}

// TestSchemaTestdata checks every line of every trace in testdata that the
// Reader accepts against the schema: line 1 as a header, the others as ops,
// and each against exactly one of the two.
func TestSchemaTestdata(t *testing.T) {
	s := loadSchema(t)
	files, _ := filepath.Glob("testdata/*.jsonl")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "bad-") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkSchemaLines(t, s, f, data)
	}
}

// fataler is what checkSchemaLines needs of a *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func checkSchemaLines(t fataler, s *jsonSchema, name string, data []byte) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		ok, def := s.validLine(line)
		want := "op"
		if i == 0 {
			want = "header"
		}
		if !ok || def != want {
			t.Fatalf("%s:%d: does not validate as %s against schema.json: %s", name, i+1, want, line)
		}
		v, _ := decodeAny(line)
		if s.header.Validate(v) == nil && s.op.Validate(v) == nil {
			t.Fatalf("%s:%d: validates as both header and op", name, i+1)
		}
	}
}
