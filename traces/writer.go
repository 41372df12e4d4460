package traces

import (
	"io"
	"strconv"
)

// Writer writes a trace in canonical form: the fields in the order of
// docs/trace-format.md, no spaces, integers in decimal, strings escaped
// minimally, one line per Write call to the underlying writer.
//
// A Writer checks what it writes by the Reader's rules, so it writes only
// traces that a Reader accepts, and a Reader reads back the values it was
// given. A rejected header or op is not written, and the Writer can go on.
type Writer struct {
	w    io.Writer
	buf  []byte
	line int // lines written
	ps   Protocols
	chk  *checker
	err  error // sticky write error of w
}

// NewWriter returns a Writer to w of traces of the protocols ps (the
// header's Protocol picks one). WriteHeader must be called first.
func NewWriter(w io.Writer, ps Protocols) *Writer {
	return &Writer{w: w, ps: ps}
}

// WriteHeader checks h (Header.Validate, and its protocol is one of the
// Writer's) and writes it as line 1. It returns an *Error if h is invalid
// or the header was already written, or the error of the underlying
// writer.
func (w *Writer) WriteHeader(h Header) error {
	if w.err != nil {
		return w.err
	}
	if w.chk != nil {
		return &Error{Line: w.line + 1, Msg: "header already written"}
	}
	err := h.validate()
	var voc *Vocabulary
	if err == nil {
		voc, err = pick(w.ps, h.Protocol)
	}
	if err != nil {
		err.Line = 1
		return err
	}
	b := append(w.buf[:0], `{"format":"umcg-trace","version":`...)
	b = strconv.AppendInt(b, int64(h.Version), 10)
	b = append(b, ',')
	if h.Protocol != "" {
		b = append(b, `"protocol":`...)
		b = appendString(b, h.Protocol)
		b = append(b, ',')
	}
	b = append(b, `"source":`...)
	b = appendString(b, h.Source)
	b = append(b, `,"clock":`...)
	b = appendString(b, h.Clock)
	// Version 2 leaves an empty list out: its names are declared where
	// they appear.
	if len(h.Tasks) > 0 || h.Version < Version2 {
		b = append(b, `,"tasks":`...)
		b = appendNames(b, h.Tasks)
	}
	if len(h.Groups) > 0 || h.Version < Version2 {
		b = append(b, `,"groups":`...)
		b = appendNames(b, h.Groups)
	}
	b = append(b, "}\n"...)
	w.buf = b
	if e := tooLong(b, 1); e != nil {
		return e
	}
	if err := w.write(b); err != nil {
		return err
	}
	w.chk = newChecker(h, voc)
	return nil
}

// WriteOp checks op as Reader.Next would at this line (Op.Validate, then
// the header's names, request/followup pairing and time order) and writes
// it. It returns an *Error (with no File) if op breaks a rule or the header
// was not written, or the error of the underlying writer.
func (w *Writer) WriteOp(op Op) error {
	if w.err != nil {
		return w.err
	}
	line := w.line + 1
	if w.chk == nil {
		return &Error{Line: line, Msg: "WriteOp before WriteHeader"}
	}
	if e := op.validate(w.chk.voc, w.chk.version); e != nil {
		e.Line = line
		return e
	}
	spec := w.chk.voc.lookup(op.Kind, w.chk.version)
	b := append(w.buf[:0], `{"thread":`...)
	b = appendString(b, op.Thread)
	b = append(b, `,"op":"`...)
	b = append(b, spec.name...)
	b = append(b, '"')
	if op.Phase != PhaseNone {
		b = append(b, `,"phase":"`...)
		b = append(b, op.Phase.String()...)
		b = append(b, '"')
	}
	if op.Phase != PhaseFollowup {
		b = append(b, `,"args":{`...)
		if spec.arg != argNone {
			b = append(b, '"')
			b = append(b, argNames[spec.arg]...)
			b = append(b, `":`...)
			b = appendNullable(b, op.Args.get(spec.arg))
		}
		b = append(b, '}')
	}
	if op.Outcome == OutcomeKnown {
		b = append(b, `,"ret":`...)
		switch op.Ret.Kind {
		case RetNull:
			b = append(b, "null"...)
		case RetInt:
			b = strconv.AppendInt(b, op.Ret.Int, 10)
		case RetName:
			b = appendString(b, op.Ret.Name)
		}
		b = append(b, `,"errno":`...)
		b = strconv.AppendInt(b, int64(op.Errno), 10)
	} else {
		b = append(b, `,"outcome":"`...)
		b = append(b, op.Outcome.String()...)
		b = append(b, '"')
	}
	if op.Signal != 0 {
		b = append(b, `,"signal":`...)
		b = strconv.AppendInt(b, int64(op.Signal), 10)
	}
	b = append(b, `,"call":`...)
	b = strconv.AppendInt(b, op.Call, 10)
	if op.Outcome == OutcomeKnown {
		b = append(b, `,"return":`...)
		b = strconv.AppendInt(b, op.Return, 10)
	}
	b = append(b, "}\n"...)
	w.buf = b
	if e := tooLong(b, line); e != nil {
		return e
	}
	if e := w.chk.add(op, spec, line); e != nil {
		e.Line = line
		return e
	}
	return w.write(b)
}

// WriteAll writes t with a new Writer of the protocols ps. Its error is
// that of WriteHeader or of the first WriteOp that fails.
func WriteAll(w io.Writer, t Trace, ps Protocols) error {
	tw := NewWriter(w, ps)
	if err := tw.WriteHeader(t.Header); err != nil {
		return err
	}
	for _, op := range t.Ops {
		if err := tw.WriteOp(op); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) write(b []byte) error {
	w.buf = b
	n, err := w.w.Write(b)
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
		return err
	}
	w.line++
	return nil
}

// tooLong rejects a line the Reader would reject for its length.
func tooLong(b []byte, line int) *Error {
	if len(b)-1 > MaxLineBytes {
		return &Error{Line: line, Msg: "line longer than " + strconv.Itoa(MaxLineBytes) + " bytes"}
	}
	return nil
}

func appendNames(b []byte, names []string) []byte {
	b = append(b, '[')
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, n)
	}
	return append(b, ']')
}

// appendNullable appends s as a JSON string, or null if s is "".
func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendString appends s, valid UTF-8, as a JSON string: '"' and '\\'
// escaped with a backslash, \n \r \t \b \f by their short escapes, other
// control characters as \u00XX, everything else as is.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
