package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// Every file a command writes is checked before the command starts its
// work: a long search must not end in "file exists" and lose its report.

// checkNewFile refuses, as flag's usage error, an output file that exists
// or whose directory does not.
func checkNewFile(flag, path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return usagef("--%s: %s exists; not overwriting it", flag, path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return usagef("--%s: %v", flag, err)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return usagef("--%s: directory %s does not exist", flag, dir)
	case err != nil:
		return usagef("--%s: %v", flag, err)
	case !st.IsDir():
		return usagef("--%s: %s is not a directory", flag, dir)
	}
	if err := checkWritable(dir); err != nil {
		return usagef("--%s: cannot create %s: %v", flag, path, err)
	}
	return nil
}

// checkWritable reports whether a file can be created in the existing
// directory dir, by creating one and removing it: permission bits do not
// say it (root ignores them; a read-only or special file system refuses
// even root).
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".umcgcheck-probe-*")
	if err != nil {
		return fmt.Errorf("directory %s is not writable (%w)", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// traceName is the file emitTrace writes a counterexample of property
// to, for a configuration named name.
func traceName(dir, name, variant, property string) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s-%s.jsonl", name, variant, property))
}

// traceConfig is a system's configuration when its protocol has a trace
// format (UMCG v0.1's, today), or an error saying it has none.
func traceConfig(sys sim.System) (umcg01.Config, error) {
	d := sys.Describe()
	cfg, ok := d.Config.(umcg01.Config)
	if !ok {
		return cfg, fmt.Errorf("protocol %s has no trace format", d.Protocol)
	}
	return cfg, nil
}

// traceVariant is the variant a system's traces are named by, or an
// error when its protocol has no trace format.
func traceVariant(sys sim.System) (string, error) {
	cfg, err := traceConfig(sys)
	return cfg.Variant.String(), err
}

// checkTraceDir refuses --emit-traces DIR when DIR is a file, or holds a
// trace the search could write (one of the same configuration and
// variant, whatever the property), or when a system has no trace format,
// or when it cannot be written. A missing DIR is created when the first
// trace is written.
func checkTraceDir(dir string, systems []sim.Named) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		for _, n := range systems {
			if _, err := traceVariant(n.System); err != nil {
				return usagef("--emit-traces: %v", err)
			}
		}
		// MkdirAll will create dir in its nearest existing ancestor
		up := filepath.Dir(dir)
		for _, err := os.Stat(up); errors.Is(err, os.ErrNotExist) && up != filepath.Dir(up); _, err = os.Stat(up) {
			up = filepath.Dir(up)
		}
		if err := checkWritable(up); err != nil {
			return usagef("--emit-traces: cannot create %s: %v", dir, err)
		}
		return nil
	}
	if err != nil {
		return usagef("--emit-traces: %v", err)
	}
	if !st.IsDir() {
		return usagef("--emit-traces: %s is not a directory", dir)
	}
	if err := checkWritable(dir); err != nil {
		return usagef("--emit-traces: %v", err)
	}
	for _, n := range systems {
		v, err := traceVariant(n.System)
		if err != nil {
			return usagef("--emit-traces: %v", err)
		}
		used, _ := filepath.Glob(traceName(dir, n.Name, v, "*"))
		if len(used) > 0 {
			return usagef("--emit-traces: %s already holds traces of configuration %s (%s); choose another directory", dir, n.Name, filepath.Base(used[0]))
		}
	}
	return nil
}
