package umcg01

import "testing"

// TestFormatRet pins the rendering of results (as sim's step texts and the
// trace checker's messages show them).
func TestFormatRet(t *testing.T) {
	thread := func(i int) string {
		if i < 2 {
			return []string{"s0", "w0"}[i]
		}
		return ""
	}
	group := func(i int) string { return "g" + string(rune('0'+i)) }
	for _, c := range []struct {
		c    Call
		ret  int16
		want string
	}{
		{CallRegisterCore, 0, "UMCG_NONE"},
		{CallRegisterWorker, 2, "w0"},
		{CallRunWorker, 3, "3"},
		{CallPollWorker, -1, "-1"},
		{CallCreateGroup, 0, "UMCG_NONE"},
		{CallCreateGroup, 2, "g1"},
		{CallCreateGroup, -1, "-1"},
		{CallGetTaskState, int16(StateRunning | FlagWakeupQueued), "RUNNING|WAKEUP_QUEUED"},
		{CallWake, -1, "-1"},
		{CallUnregister, 0, "0"},
	} {
		if got := c.c.FormatRet(c.ret, thread, group); got != c.want {
			t.Errorf("%s.FormatRet(%d) = %q, want %q", c.c, c.ret, got, c.want)
		}
	}
}

// TestCallsTable: every call has a name, and an argument has a role.
func TestCallsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Calls() {
		if c.String() == "" || seen[c.String()] {
			t.Errorf("call %d: name %q", c, c.String())
		}
		seen[c.String()] = true
		if (c.Arg() == ArgNone) != (c.ArgRole() == "") {
			t.Errorf("%s: arg %d, role %q", c, c.Arg(), c.ArgRole())
		}
		if c2, ok := ParseCall(c.String()); !ok || c2 != c {
			t.Errorf("ParseCall(%q) = %v, %v", c, c2, ok)
		}
	}
	for _, e := range Events() {
		if e2, ok := ParseEvent(e.String()); !ok || e2 != e || seen[e.String()] {
			t.Errorf("event %q", e)
		}
	}
}
