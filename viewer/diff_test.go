package viewer

import "testing"

// TestDiff: with as many lines as before, a line is marked where it
// differs from the line in its place; when lines come or go, where the
// previous state has no line equal to it (no protocol shipped today
// changes its number of lines, so only this test reaches that path).
func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		prev, cur []string
		want      []bool
	}{
		{nil, []string{"s1 idle"}, []bool{false}},
		{[]string{"s1 idle", "w1 blocked"}, []string{"s1 idle", "w1 runnable"}, []bool{false, true}},
		{[]string{"s1 idle", "w1 blocked"}, []string{"s1 idle", "g1 queue w1", "w1 blocked"}, []bool{false, true, false}},
		// Two lines with the same first word: each compared as a whole.
		{[]string{"g1 queue", "g1 queue w1", "s1 idle"}, []string{"g1 queue w1", "g1 queue"}, []bool{false, false}},
		{[]string{"g1 a", "g1 b", "s1"}, []string{"g1 a", "g1 c"}, []bool{false, true}},
	} {
		got := diff(tc.prev, tc.cur)
		for i, l := range got {
			if l.Text != tc.cur[i] || l.Changed != tc.want[i] {
				t.Errorf("diff(%q, %q) line %d: %+v, want changed %v", tc.prev, tc.cur, i, l, tc.want[i])
			}
		}
	}
}
