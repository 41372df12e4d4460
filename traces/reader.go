package traces

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Reader reads a trace line by line, checking every rule of the format as
// it goes; it holds one line in memory, plus a little per task.
//
// A Reader stops at the first broken rule: from then on Header and Next
// return that same *Error.
type Reader struct {
	br   *bufio.Reader
	name string
	line int // number of the last line read
	buf  []byte

	p       jparser
	hdr     Header
	hdrRead bool
	ps      Protocols
	chk     *checker
	err     error // sticky: the first *Error, or io.EOF
}

// NewReader returns a Reader of the trace in r. name is the file name its
// errors carry (by convention "-" for standard input). ps are the
// protocols it reads: the header's "protocol" (DefaultProtocol when
// absent) picks one, and a trace of any other protocol is an error.
func NewReader(r io.Reader, name string, ps Protocols) *Reader {
	rd := &Reader{br: bufio.NewReader(r), name: name, ps: ps}
	rd.p.addIntern(headerKeys...)
	rd.p.addIntern(opKeys...)
	rd.p.addIntern(argNames[1:]...)
	rd.p.addIntern("request", "followup", Outcome(OutcomeUnknown).String(), string(Died))
	return rd
}

// Vocabulary returns the vocabulary of the trace's protocol, once Header
// has read a valid header, or nil.
func (r *Reader) Vocabulary() *Vocabulary {
	if r.chk == nil {
		return nil
	}
	return r.chk.voc
}

// Line returns the number of the last line read: 1 after Header, the line
// of the op after Next returned one, the line of the error after an error.
func (r *Reader) Line() int { return r.line }

// Header reads and checks line 1, the header, if it was not read yet, and
// returns it. Its error is nil or an *Error.
func (r *Reader) Header() (Header, error) {
	if !r.hdrRead {
		r.hdrRead = true
		r.readHeader()
	}
	if r.err != nil && r.chk == nil {
		return Header{}, r.err
	}
	return r.hdr, nil
}

// Next reads and checks the next operation. At the end of a valid trace it
// returns io.EOF; otherwise its error is an *Error. An op it returns is
// valid on its own (Op.Validate is nil) and follows every rule relating it
// to the header and to the ops before it. A request that is pending at the
// end of the trace (never followed up) is valid, and so is (version 2) an
// op of unknown outcome; only the thread's death may follow either.
func (r *Reader) Next() (Op, error) {
	if _, err := r.Header(); err != nil {
		return Op{}, err
	}
	if r.err != nil {
		return Op{}, r.err
	}
	line, err := r.readLine()
	if err != nil {
		r.err = err
		return Op{}, err
	}
	v, err := r.parseLine(line)
	if err != nil {
		r.err = err
		return Op{}, err
	}
	op, spec, e := decodeOp(v, r.chk.voc, r.chk.version)
	if e == nil {
		e = op.validate(r.chk.voc, r.chk.version)
	}
	if e == nil {
		e = r.chk.add(op, spec, r.line)
	}
	if e != nil {
		r.err = r.at(e)
		return Op{}, r.err
	}
	return op, nil
}

// ReadAll reads a whole trace of one of the protocols ps. Its error is
// nil or an *Error; on error the Trace holds the header and the ops read
// before the broken line.
func ReadAll(r io.Reader, name string, ps Protocols) (Trace, error) {
	rd := NewReader(r, name, ps)
	var t Trace
	var err error
	if t.Header, err = rd.Header(); err != nil {
		return t, err
	}
	for {
		op, err := rd.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return t, err
		}
		t.Ops = append(t.Ops, op)
	}
}

// at places e at the current line of r's file.
func (r *Reader) at(e *Error) *Error {
	e.File, e.Line = r.name, r.line
	return e
}

func (r *Reader) readHeader() {
	line, err := r.readLine()
	if err == io.EOF {
		r.line = 1
		r.err = r.at(errf("", "empty file: want the header line"))
		return
	}
	if err != nil {
		r.err = err
		return
	}
	v, err := r.parseLine(line)
	if err != nil {
		r.err = err
		return
	}
	h, e := decodeHeader(v)
	if e == nil {
		e = h.validate()
	}
	var voc *Vocabulary
	if e == nil {
		voc, e = pick(r.ps, h.Protocol)
	}
	if e != nil {
		r.err = r.at(e)
		return
	}
	r.hdr = h
	r.chk = newChecker(h, voc)
	for _, s := range voc.specs {
		r.p.addIntern(s.name)
	}
	r.p.addIntern(voc.states.Names...)
	r.p.addIntern(h.Tasks...)
	r.p.addIntern(h.Groups...)
}

// utf8BOM is the byte order mark some editors put at the start of a UTF-8
// file. A trace may start with one; it is skipped.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// readLine reads the next line, without its newline, and checks that it
// is UTF-8 (a trace is UTF-8 text: other bytes would be read as U+FFFD,
// and two distinct names as one). A byte order mark at the start of the
// file is skipped. It returns io.EOF at the end of the input, or an
// *Error.
func (r *Reader) readLine() ([]byte, error) {
	l, err := r.readRawLine()
	if err != nil {
		return l, err
	}
	if r.line == 1 {
		l = bytes.TrimPrefix(l, utf8BOM)
	}
	if !utf8.Valid(l) {
		at := 0
		for at < len(l) {
			c, n := utf8.DecodeRune(l[at:])
			if c == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return nil, r.at(errf("", fmt.Sprintf("invalid UTF-8 at byte %d (0x%02X): a trace is UTF-8 text", at+1, l[at])))
	}
	return l, nil
}

// readRawLine is readLine without the UTF-8 checks.
func (r *Reader) readRawLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, chunk...)
		switch {
		case err == bufio.ErrBufferFull:
			if len(r.buf) > MaxLineBytes {
				r.line++
				return nil, r.at(errf("", "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes"))
			}
			continue
		case err == nil:
			r.line++
			l := r.buf[:len(r.buf)-1]
			if len(l) > MaxLineBytes {
				return nil, r.at(errf("", "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes"))
			}
			return l, nil
		case err == io.EOF:
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			r.line++
			if len(r.buf) > MaxLineBytes {
				return nil, r.at(errf("", "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes"))
			}
			if !json.Valid(r.buf) && !blank(r.buf) {
				if incomplete(r.buf) {
					return nil, r.at(errf("", "truncated line: no newline at the end of the file and the JSON is incomplete"))
				}
			}
			return r.buf, nil
		default:
			r.line++
			e := r.at(errf("", "read error: "+err.Error()))
			e.err = err
			return nil, e
		}
	}
}

// blank reports whether b holds only JSON whitespace.
func blank(b []byte) bool {
	return len(bytes.Trim(b, " \t\r\n")) == 0
}

// incomplete reports whether the invalid JSON b is a prefix of some valid
// JSON, that is whether it is only cut short.
func incomplete(b []byte) bool {
	var x any
	err := json.Unmarshal(b, &x)
	var se *json.SyntaxError
	return errors.As(err, &se) && se.Offset >= int64(len(b)) && se.Error() == "unexpected end of JSON input"
}

// parseLine checks that line is one JSON object and parses it.
func (r *Reader) parseLine(line []byte) (jval, error) {
	if blank(line) {
		return jval{}, r.at(errf("", "empty line"))
	}
	if !json.Valid(line) {
		var x any
		err := json.Unmarshal(line, &x)
		msg := "invalid JSON"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			msg += " at byte " + strconv.FormatInt(se.Offset, 10) + ": " + se.Error()
		}
		return jval{}, r.at(errf("", msg))
	}
	v := r.p.parse(line)
	if v.kind != jObj {
		return jval{}, r.at(errf("", "want a JSON object, got "+v.describe()))
	}
	return v, nil
}

// checkKeys reports the first key of obj that repeats an earlier one
// (duplicate field), then the first key that known rejects (unknownMsg).
// prefix is the path of the object ("" or "args").
func checkKeys(prefix string, obj []jfield, known func(string) bool, unknownMsg string) *Error {
	if len(obj) <= 32 {
		for i := range obj {
			for j := 0; j < i; j++ {
				if obj[i].key == obj[j].key {
					return errf(fieldName(prefix, obj[i].key), "duplicate field")
				}
			}
		}
	} else {
		seen := make(map[string]bool, len(obj))
		for _, f := range obj {
			if seen[f.key] {
				return errf(fieldName(prefix, f.key), "duplicate field")
			}
			seen[f.key] = true
		}
	}
	if known != nil {
		for _, f := range obj {
			if !known(f.key) {
				return errf(fieldName(prefix, f.key), unknownMsg)
			}
		}
	}
	return nil
}

// lookup returns the value of key in obj, which has no duplicate keys.
func lookup(obj []jfield, key string) (jval, bool) {
	for i := range obj {
		if obj[i].key == key {
			return obj[i].val, true
		}
	}
	return jval{}, false
}

func wrongType(field, want string, v jval) *Error {
	return errf(field, "wrong type: want "+want+", got "+v.describe())
}

// intValue returns v's value if v is an integer literal: no fraction, no
// exponent. big reports an integer literal outside the int64 range.
func intValue(v jval) (n int64, isInt, big bool) {
	if v.kind != jNum {
		return 0, false, false
	}
	n, err := strconv.ParseInt(v.s, 10, 64)
	if err != nil {
		return 0, errors.Is(err, strconv.ErrRange), errors.Is(err, strconv.ErrRange)
	}
	return n, true, false
}

// integer decodes an integer field in [min, max].
func integer(field string, v jval, min, max int64) (int64, *Error) {
	n, isInt, big := intValue(v)
	if !isInt {
		return 0, wrongType(field, "an integer", v)
	}
	if big || n < min || n > max {
		return 0, errf(field, "out of range: "+clip(v.s)+" is not in ["+strconv.FormatInt(min, 10)+", "+strconv.FormatInt(max, 10)+"]")
	}
	return n, nil
}

var (
	headerKeys         = []string{"format", "version", "protocol", "source", "clock", "tasks", "groups"}
	requiredHeaderKeys = []string{"source", "clock", "tasks", "groups"}
	// optionalHeaderKeys2 are the required keys that version 2 makes
	// optional: a streaming producer declares names where they appear.
	optionalHeaderKeys2 = []string{"tasks", "groups"}
)

func isHeaderKey(k string) bool {
	for _, h := range headerKeys {
		if k == h {
			return true
		}
	}
	return false
}

// decodeHeader decodes the header's JSON. It checks format and version
// before anything else, so that a file of another format or version is
// reported as such and not as unknown fields.
func decodeHeader(v jval) (Header, *Error) {
	var h Header
	if err := checkKeys("", v.obj, nil, ""); err != nil {
		return h, err
	}
	m := func(k string) jval { v, _ := lookup(v.obj, k); return v }
	f, ok := lookup(v.obj, "format")
	switch {
	case !ok:
		return h, errf("format", `missing field: line 1 must be the header {"format":"umcg-trace","version":1,...}`)
	case f.kind != jStr:
		return h, wrongType("format", "a string", f)
	case f.s != Format:
		return h, errf("format", `want "umcg-trace", got `+quote(f.s))
	}
	ver, ok := lookup(v.obj, "version")
	if !ok {
		return h, errf("version", "missing field")
	}
	n, isInt, big := intValue(ver)
	switch {
	case !isInt:
		return h, wrongType("version", "an integer", ver)
	case big || n < Version1 || n > LatestVersion:
		return h, unsupportedVersion(clip(ver.s))
	}
	h.Version = int(n)
	if err := checkKeys("", v.obj, isHeaderKey, "unknown field"); err != nil {
		return h, err
	}
	for _, k := range requiredHeaderKeys {
		if _, ok := lookup(v.obj, k); !ok && (h.Version < Version2 || !slices.Contains(optionalHeaderKeys2, k)) {
			return h, errf(k, "missing field")
		}
	}
	if p, ok := lookup(v.obj, "protocol"); ok {
		switch {
		case p.kind != jStr:
			return h, wrongType("protocol", "a string", p)
		case p.s == "":
			return h, errf("protocol", "empty protocol: leave the field out for "+strconv.Quote(DefaultProtocol))
		}
		h.Protocol = p.s
	}
	for _, k := range []string{"source", "clock"} {
		if m(k).kind != jStr {
			return h, wrongType(k, "a string", m(k))
		}
	}
	h.Source, h.Clock = m("source").s, m("clock").s
	for _, k := range []string{"tasks", "groups"} {
		a, ok := lookup(v.obj, k)
		if !ok {
			continue // version 2: names are declared where they appear
		}
		if a.kind != jArr {
			return h, wrongType(k, "an array of names", a)
		}
		names := make([]string, len(a.obj))
		for i, f := range a.obj {
			if e := f.val; e.kind != jStr {
				return h, wrongType(k+"["+strconv.Itoa(i)+"]", "a string", e)
			}
			names[i] = f.val.s
		}
		if k == "tasks" {
			h.Tasks = names
		} else {
			h.Groups = names
		}
	}
	return h, nil
}

var (
	opKeys         = []string{"thread", "op", "phase", "args", "ret", "errno", "outcome", "signal", "call", "return"}
	requiredOpKeys = []string{"thread", "op", "ret", "errno", "call", "return"}
	// opKeys2 are the op keys of version 2 alone.
	opKeys2 = []string{"outcome", "signal"}
	// unknownOutcomeKeys are the required keys an op of unknown outcome
	// has not.
	unknownOutcomeKeys = []string{"ret", "errno", "return"}
)

// decodeOp decodes an op line's JSON, an op of vocabulary voc in a trace
// of the given version: unknown, duplicate and missing fields, JSON types
// and integer ranges. It returns the op and its kind's spec; Op.validate
// checks the values.
func decodeOp(v jval, voc *Vocabulary, version int) (Op, *kindSpec, *Error) {
	var op Op
	isOpKey := func(k string) bool {
		return slices.Contains(opKeys, k) && (version >= Version2 || !slices.Contains(opKeys2, k))
	}
	if err := checkKeys("", v.obj, isOpKey, "unknown field"); err != nil {
		return op, nil, err
	}
	if o, ok := lookup(v.obj, "outcome"); ok {
		switch {
		case o.kind != jStr:
			return op, nil, wrongType("outcome", "a string", o)
		case o.s != OutcomeUnknown.String():
			return op, nil, errf("outcome", "unknown outcome "+quote(o.s)+`: want "unknown" (leave the field out when the call returned)`)
		}
		op.Outcome = OutcomeUnknown
		for _, k := range unknownOutcomeKeys {
			if _, ok := lookup(v.obj, k); ok {
				return op, nil, errf(k, "an op of unknown outcome has no "+k)
			}
		}
	}
	for _, k := range requiredOpKeys {
		if _, ok := lookup(v.obj, k); !ok && (op.Outcome != OutcomeUnknown || !slices.Contains(unknownOutcomeKeys, k)) {
			return op, nil, errf(k, "missing field")
		}
	}
	m := func(k string) jval { v, _ := lookup(v.obj, k); return v }
	if t := m("thread"); t.kind != jStr {
		return op, nil, wrongType("thread", "a string", t)
	} else {
		op.Thread = t.s
	}
	o := m("op")
	if o.kind != jStr {
		return op, nil, wrongType("op", "a string", o)
	}
	spec := voc.lookup(OpKind(o.s), version)
	if spec == nil {
		return op, nil, errf("op", "unknown op "+quote(o.s))
	}
	op.Kind = OpKind(spec.name)
	if p, ok := lookup(v.obj, "phase"); ok {
		if p.kind != jStr {
			return op, nil, wrongType("phase", "a string", p)
		}
		switch p.s {
		case "request":
			op.Phase = PhaseRequest
		case "followup":
			op.Phase = PhaseFollowup
		default:
			msg := "unknown phase " + quote(p.s) + `: want "request" or "followup"`
			if !spec.sleeps {
				msg += " on sleeping calls; " + spec.name + " cannot sleep, so its line has no phase field"
			}
			return op, nil, errf("phase", msg)
		}
	}
	a, hasArgs := lookup(v.obj, "args")
	switch {
	case op.Phase == PhaseFollowup && hasArgs:
		return op, nil, errf("args", "a followup has no args (they are on its request)")
	case op.Phase != PhaseFollowup && !hasArgs:
		return op, nil, errf("args", "missing field")
	case hasArgs:
		if a.kind != jObj {
			return op, nil, wrongType("args", "an object", a)
		}
		if err := checkKeys("args", a.obj, func(k string) bool { return spec.arg != argNone && k == argNames[spec.arg] },
			"unknown field: "+spec.name+" "+argsPhrase(spec)); err != nil {
			return op, nil, err
		}
		if spec.arg != argNone {
			name := argNames[spec.arg]
			f := "args." + name
			av, ok := lookup(a.obj, name)
			if !ok {
				return op, nil, errf(f, "missing field")
			}
			switch av.kind {
			case jNull:
			case jStr:
				if av.s == "" {
					return op, nil, errf(f, "empty name (null is UMCG_NONE)")
				}
				op.Args.set(spec.arg, av.s)
			default:
				return op, nil, wrongType(f, "a name or null", av)
			}
		}
	}
	if op.Outcome == OutcomeUnknown { // no ret, errno, return
		if err := op.decodeSignal(v); err != nil {
			return op, nil, err
		}
		n, err := integer("call", m("call"), -1<<63, 1<<63-1)
		if err != nil {
			return op, nil, err
		}
		op.Call, op.Return = n, n
		return op, spec, nil
	}
	switch r := m("ret"); r.kind {
	case jNull:
	case jStr:
		if r.s == "" {
			return op, nil, errf("ret", "empty name (null is UMCG_NONE)")
		}
		op.Ret = NameRet(r.s)
	case jNum:
		n, isInt, big := intValue(r)
		switch {
		case big:
			return op, nil, errf("ret", "out of range: "+clip(r.s)+" does not fit in 64 bits")
		case !isInt:
			return op, nil, wrongType("ret", "null, an integer or a name", r)
		}
		op.Ret = IntRet(n)
	default:
		return op, nil, wrongType("ret", "null, an integer or a name", r)
	}
	n, err := integer("errno", m("errno"), -MaxErrno, MaxErrno)
	if err != nil {
		return op, nil, err
	}
	op.Errno = int(n)
	if err := op.decodeSignal(v); err != nil {
		return op, nil, err
	}
	if op.Call, err = integer("call", m("call"), -1<<63, 1<<63-1); err != nil {
		return op, nil, err
	}
	if op.Return, err = integer("return", m("return"), -1<<63, 1<<63-1); err != nil {
		return op, nil, err
	}
	return op, spec, nil
}

// decodeSignal decodes the optional "signal" field of an op line.
func (op *Op) decodeSignal(v jval) *Error {
	sig, ok := lookup(v.obj, "signal")
	if !ok {
		return nil
	}
	n, err := integer("signal", sig, 1, MaxSignal)
	op.Signal = int(n)
	return err
}
