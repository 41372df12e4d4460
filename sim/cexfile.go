package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// File format of saved counterexamples (explore --out, read by replay).
const (
	FileFormat  = "umcgcheck-counterexamples"
	FileVersion = 2 // 2 added protocol and place; files of version 1 still read
)

type fileJSON struct {
	Format          string    `json:"format"`
	Version         int       `json:"version"`
	Counterexamples []cexJSON `json:"counterexamples"`
}

type cexJSON struct {
	Protocol string          `json:"protocol,omitempty"`
	Config   json.RawMessage `json:"config"`
	Property string          `json:"property"`
	Place    string          `json:"place,omitempty"`
	Message  string          `json:"message"`
	Loop     int             `json:"loop"`
	Steps    []stepJSON      `json:"steps"`
}

// Saved is a counterexample with the system it was found on.
type Saved struct {
	System System
	Counterexample
}

// Loader builds the system of a protocol and configuration read from a
// file (protocol is "" when the file does not name one).
type Loader func(protocol string, config json.RawMessage) (System, error)

type stepJSON struct {
	Thread string `json:"thread"`
	Action string `json:"action"`
}

// WriteFile writes counterexamples in the versioned JSON file format.
func WriteFile(w io.Writer, cs []Saved) error {
	f := fileJSON{Format: FileFormat, Version: FileVersion, Counterexamples: []cexJSON{}}
	for _, c := range cs {
		d := c.System.Describe()
		cfg, err := json.Marshal(d.Config)
		if err != nil {
			return err
		}
		cj := cexJSON{Protocol: d.Protocol, Config: cfg, Property: c.Property, Place: c.Place, Message: c.Message, Loop: c.Loop, Steps: []stepJSON{}}
		for _, a := range c.Actions {
			cj.Steps = append(cj.Steps, stepJSON{Thread: d.ThreadNames[a.Thread], Action: d.ActionNames[a.Kind]})
		}
		f.Counterexamples = append(f.Counterexamples, cj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// FileError is a problem in a counterexample file, with where it is.
type FileError struct {
	Line  int    // 1-based, 0 when unknown
	Field string // JSON path of the field, when known
	Msg   string
}

func (e *FileError) Error() string {
	s := ""
	if e.Line > 0 {
		s = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

func lineOf(data []byte, off int64) int {
	if off < 0 || off > int64(len(data)) {
		return 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// ReadFile parses a counterexample file, building each counterexample's
// system with load. Every error is a *FileError naming the line and field
// at fault.
func ReadFile(data []byte, load Loader) ([]Saved, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, &FileError{Line: lineOf(data, se.Offset), Msg: se.Error()}
		case errors.As(err, &te):
			return nil, &FileError{Line: lineOf(data, te.Offset), Field: te.Field, Msg: "want " + te.Type.String() + ", got " + te.Value}
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &FileError{Line: lineOf(data, int64(len(data))), Msg: "the file ends early"}
		}
		return nil, &FileError{Line: lineOf(data, dec.InputOffset()), Msg: err.Error()}
	}
	if dec.More() {
		return nil, &FileError{Line: lineOf(data, dec.InputOffset()), Msg: "unexpected data after the counterexamples"}
	}
	if f.Format != FileFormat {
		return nil, &FileError{Line: 1, Field: "format", Msg: fmt.Sprintf("want %q, got %q", FileFormat, f.Format)}
	}
	if f.Version != FileVersion && f.Version != 1 {
		return nil, &FileError{Line: 1, Field: "version", Msg: fmt.Sprintf("version %d is not supported (want 1 or %d)", f.Version, FileVersion)}
	}
	var out []Saved
	for i, cj := range f.Counterexamples {
		field := fmt.Sprintf("counterexamples[%d]", i)
		sys, err := load(cj.Protocol, cj.Config)
		if err != nil {
			return nil, &FileError{Field: field + ".config", Msg: err.Error()}
		}
		d := sys.Describe()
		if !d.HasProperty(cj.Property) {
			return nil, &FileError{Field: field + ".property", Msg: fmt.Sprintf("unknown property %q", cj.Property)}
		}
		c := Saved{System: sys, Counterexample: Counterexample{Property: cj.Property, Place: cj.Place, Message: cj.Message, Loop: cj.Loop}}
		for j, st := range cj.Steps {
			t, ok := d.Thread(st.Thread)
			if !ok {
				return nil, &FileError{Field: fmt.Sprintf("%s.steps[%d].thread", field, j), Msg: fmt.Sprintf("unknown thread %q in this configuration", st.Thread)}
			}
			k, ok := d.Action(st.Action)
			if !ok {
				return nil, &FileError{Field: fmt.Sprintf("%s.steps[%d].action", field, j), Msg: fmt.Sprintf("unknown action %q", st.Action)}
			}
			c.Actions = append(c.Actions, Action{Kind: k, Thread: t})
		}
		if c.Loop < -1 || c.Loop >= len(c.Actions) && c.Loop != -1 {
			return nil, &FileError{Field: field + ".loop", Msg: fmt.Sprintf("%d is not -1 or a step index below %d", c.Loop, len(c.Actions))}
		}
		out = append(out, c)
	}
	return out, nil
}

// LoadConfig decodes a configuration saved as JSON, refusing fields that C
// does not have, and builds its system.
func LoadConfig[C any](raw json.RawMessage, build func(C) (System, error)) (System, error) {
	var c C
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	return build(c)
}
