package lincheck

import (
	"strings"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// TestGroupNameReuse: the rules of docs/trace-format.md ("Group names")
// for a name that create_group returns after destroy_group of the group
// it named. A new name for the new group is linearizable in both
// versions. Version 1 binds a name to its first creation, so the same
// name again is taken as returning the destroyed group: not
// linearizable. Version 2 refuses it as bad input, naming the line.
func TestGroupNameReuse(t *testing.T) {
	trace := func(version, second string) string {
		return `{"format":"umcg-trace","version":` + version + `,"source":"hand","clock":"ns","tasks":["s1"],"groups":["g1","g2"]}
{"thread":"s1","op":"create_group","args":{},"ret":"g1","errno":0,"call":100,"return":150}
{"thread":"s1","op":"destroy_group","args":{"group":"g1"},"ret":0,"errno":0,"call":200,"return":250}
{"thread":"s1","op":"create_group","args":{},"ret":"` + second + `","errno":0,"call":300,"return":350}
{"thread":"s1","op":"register_server","args":{"group":"` + second + `"},"ret":"s1","errno":0,"call":400,"return":450}
`
	}
	for _, c := range []struct {
		version, second string
		want            Verdict
		err             string
	}{
		{"1", "g2", Linearizable, ""},
		{"2", "g2", Linearizable, ""},
		{"1", "g1", NotLinearizable, ""},
		{"2", "g1", "", `reuse.jsonl:4: ret: group "g1" was created already (line 2): a group name names one group; give a group created after destroy_group a new name`},
	} {
		tr, err := traces.ReadAll(strings.NewReader(trace(c.version, c.second)), "reuse.jsonl", model.Vocabulary())
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("version %s, %s again: error %v, want %s", c.version, c.second, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		res, err := Check(tr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != c.want {
			t.Errorf("version %s, second group named %s: %s, want %s", c.version, c.second, res.Verdict, c.want)
		}
	}
}
