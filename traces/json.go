package traces

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jkind is the JSON type of a value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNum
	jStr
	jObj
	jArr
)

// what names a JSON type for error messages.
func (k jkind) what() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an object", "an array"}[k]
}

// jval is a parsed JSON value. Objects keep their keys in order, with
// duplicates, so that the decoder can reject those.
type jval struct {
	kind jkind
	s    string   // jStr: the decoded string; jNum: the literal; jBool: "true" or "false"
	obj  []jfield // jObj: the fields; jArr: the elements, with empty keys
}

type jfield struct {
	key string
	val jval
}

// parseJSON parses one line that json.Valid accepted. Strings are decoded
// as encoding/json decodes them (invalid UTF-8 becomes U+FFFD).
func parseJSON(b []byte) jval {
	var p jparser
	return p.parse(b)
}

// jparser parses lines one after the other, reusing its memory: the
// values of a line are valid until the next call of parse.
type jparser struct {
	b     []byte
	i     int
	stack []jfield // fields of the objects and arrays being parsed
	arena []jfield // fields of the finished ones
	// intern maps strings that recur on every line (keys, op names, task
	// names) to one copy, so that parsing them allocates nothing.
	intern map[string]string
}

// parse parses b, which json.Valid accepted.
func (p *jparser) parse(b []byte) jval {
	p.b, p.i = b, 0
	p.stack, p.arena = p.stack[:0], p.arena[:0]
	return p.value()
}

// addIntern adds strings to the intern table.
func (p *jparser) addIntern(ss ...string) {
	if p.intern == nil {
		p.intern = make(map[string]string)
	}
	for _, s := range ss {
		p.intern[s] = s
	}
}

// finish moves the fields from stack[start:] to the arena and returns them.
func (p *jparser) finish(start int) []jfield {
	kids := p.stack[start:]
	n := len(kids)
	if n == 0 {
		return nil
	}
	if cap(p.arena)-len(p.arena) < n {
		// A new chunk: the old one stays referenced by finished values.
		p.arena = make([]jfield, 0, max(2*cap(p.arena), n, 32))
	}
	l := len(p.arena)
	p.arena = append(p.arena, kids...)
	p.stack = p.stack[:start]
	return p.arena[l : l+n : l+n]
}

func (p *jparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses the value at p.i; the input is valid JSON, so it does not
// check syntax.
func (p *jparser) value() jval {
	p.ws()
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		start := len(p.stack)
		p.ws()
		if p.b[p.i] == '}' {
			p.i++
			return jval{kind: jObj}
		}
		for {
			p.ws()
			k := p.str()
			p.ws()
			p.i++ // ':'
			val := p.value()
			p.stack = append(p.stack, jfield{k, val})
			p.ws()
			c := p.b[p.i]
			p.i++
			if c == '}' {
				return jval{kind: jObj, obj: p.finish(start)}
			}
		}
	case c == '[':
		p.i++
		start := len(p.stack)
		p.ws()
		if p.b[p.i] == ']' {
			p.i++
			return jval{kind: jArr}
		}
		for {
			val := p.value()
			p.stack = append(p.stack, jfield{val: val})
			p.ws()
			c := p.b[p.i]
			p.i++
			if c == ']' {
				return jval{kind: jArr, obj: p.finish(start)}
			}
		}
	case c == '"':
		return jval{kind: jStr, s: p.str()}
	case c == 't':
		p.i += 4
		return jval{kind: jBool, s: "true"}
	case c == 'f':
		p.i += 5
		return jval{kind: jBool, s: "false"}
	case c == 'n':
		p.i += 4
		return jval{kind: jNull}
	default:
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-.0123456789eE", p.b[p.i]) >= 0 {
			p.i++
		}
		return jval{kind: jNum, s: string(p.b[start:p.i])}
	}
}

// str parses the string at p.i.
func (p *jparser) str() string {
	start := p.i
	p.i++
	plain := true
	for {
		c := p.b[p.i]
		if c == '\\' {
			plain = false
			p.i += 2
			continue
		}
		p.i++
		if c == '"' {
			break
		}
		if c >= utf8.RuneSelf {
			plain = false
		}
	}
	raw := p.b[start:p.i]
	if plain {
		if s, ok := p.intern[string(raw[1:len(raw)-1])]; ok {
			return s
		}
		return string(raw[1 : len(raw)-1])
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		// Unreachable: json.Valid accepted the line.
		return string(raw[1 : len(raw)-1])
	}
	return s
}

// describe names v's type for "got ..." in messages, with a short literal
// for scalars.
func (v jval) describe() string {
	switch v.kind {
	case jNull:
		return "null"
	case jBool:
		return "a boolean (" + v.s + ")"
	case jNum:
		return "a number (" + clip(v.s) + ")"
	case jStr:
		return "a string (" + quote(v.s) + ")"
	}
	return v.kind.what()
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}

// fieldName renders an object key as a field of an error: as is when it is
// a plain identifier, quoted otherwise, so that an error is always one
// readable line.
func fieldName(prefix, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			plain = false
			break
		}
	}
	if !plain {
		return prefix + "[" + quote(key) + "]"
	}
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
