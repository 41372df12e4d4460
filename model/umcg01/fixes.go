package umcg01

import (
	"fmt"
	"math/bits"
	"strings"
)

// Fix is one correction of the fixed variant: a single bit of a FixSet.
// Each one answers a finding of docs/semantics.md ("The fixed variant:
// every correction and the finding it answers") and can be switched on
// alone: Config.Fixes on the Seed variant. The Fixed variant is every fix.
//
// A fix is one correction as far as the model can tell: two changes that
// only make sense together are one fix. Waiting that checks the state word
// and waking that needs no sleeping target are one (wakeup-in-word): each
// alone makes the model worse than the seed (the first makes the seed's
// wake spin for a target that no longer sleeps, the second loses wakeups
// to a wait that does not look at the word).
type Fix uint32

// FixSet is a set of fixes.
type FixSet uint32

// The corrections, in the order of docs/semantics.md's table. Each doc line
// names the finding (root cause) it answers.
const (
	// FixErrnoFromKernel answers errno-overwrite: errno is the kernel's
	// error, not syscall()'s -1 (`errno = ret`) or 1 (`errno = -res`).
	FixErrnoFromKernel Fix = 1 << iota
	// FixCreateReturnsNone answers create-returns-minus-one: a failed
	// create_group returns UMCG_NONE, not -1.
	FixCreateReturnsNone
	// FixDestroyEAGAIN answers destroy-errno: destroy_group of a non-empty
	// group fails with EAGAIN, as the header documents, not the kernel's
	// EBUSY.
	FixDestroyEAGAIN
	// FixPollNoExit answers poll-exit-on-error: poll_worker returns
	// UMCG_NONE with the error (EINTR, or EINVAL for a wrong server state),
	// PROCESSING again, instead of exit(1).
	FixPollNoExit
	// FixRunNoExit answers run-exit-on-state: run_worker returns UMCG_NONE
	// with EINVAL (errno 0 if the worker unregistered) when a state word is
	// not what it expects, instead of exit(1).
	FixRunNoExit
	// FixRunUndo answers run-error-leaves-serving: after a failed
	// sys_umcg_run_worker, run_worker undoes both of its CASes (worker
	// RUNNABLE, server PROCESSING) and returns UMCG_NONE with the error.
	FixRunUndo
	// FixRunNoneErrno answers run-none-errno: run_worker's UMCG_NONE sets
	// errno, 0 exactly when the worker unregistered, ESRCH for one that
	// never registered, instead of leaving a stale errno.
	FixRunNoneErrno
	// FixRunSleepsOn answers run-spurious-return: sys_umcg_run_worker
	// sleeps until its worker blocks, yields, is preempted or unregisters;
	// a signal or a spurious wakeup does not end it. Since the reason, not
	// the wakeup, ends it, a served worker's wait yields even when its
	// server cannot be woken (v0.1's sys_umcg_wait says EAGAIN then and
	// libumcg spins).
	FixRunSleepsOn
	// FixBlockUnlinks answers unblock-while-peer: a block unlinks the
	// worker from its server, which learns the worker from the kernel's
	// out-parameter (Out) instead of the kept link.
	FixBlockUnlinks
	// FixQueuedKeepsPlace answers spurious-requeue: a queued worker woken
	// spuriously sleeps on in its place instead of going to the tail.
	FixQueuedKeepsPlace
	// FixPollSleepsOn answers poll-spurious-none: sys_umcg_poll_worker
	// sleeps on after a spurious wakeup, keeping its place, until it is
	// handed a worker or signalled, instead of returning UMCG_NONE.
	FixPollSleepsOn
	// FixRunNeedsServer answers early-run: a worker handed to a server runs
	// only once the library marked it RUNNING and its server sleeps in
	// run_worker; woken before that it sleeps on (v0.1 lets a RUNNING one
	// run early and kills a RUNNABLE one, including one handed to a poller
	// that was already woken), and sys_umcg_run_worker refuses (EINVAL) a
	// worker the library did not mark RUNNING.
	FixRunNeedsServer
	// FixRunReason answers state-read-ambiguous: the server re-runs a
	// worker only when run_worker's reason says it yielded or was
	// preempted, instead of reading its state word, and
	// sys_umcg_run_worker refuses (EINVAL) a worker linked to another
	// server instead of warning and linking it anyway, and a target that
	// is not a worker (v0.1 never checks the target's kind).
	FixRunReason
	// FixWakeupInWord answers wait-no-recheck and wake-eagain-spin: the
	// state word carries the wakeup, as a futex word does. sys_umcg_wait
	// (and swap's wait) sleeps only while the word is RUNNABLE, EAGAIN
	// otherwise, and swap reads that EAGAIN as "no need to sleep" and goes
	// to its wait loop; sys_umcg_wake and sys_umcg_swap succeed when the
	// target is not asleep instead of saying EAGAIN until it sleeps.
	FixWakeupInWord
	// FixWakeQueuedEAGAIN answers wake-queued-spin: wake (and swap) of a
	// task whose wakeup is already queued returns -1 EAGAIN, as the header
	// promises, instead of spinning.
	FixWakeQueuedEAGAIN
	// FixWaitEINTRCancels answers wait-eintr-lost: after EINTR, wait takes
	// its wait back with CAS RUNNABLE->RUNNING, and returns 0 if that fails
	// because a wakeup won, instead of losing the wakeup.
	FixWaitEINTRCancels
	// FixSwapLoops answers swap-spurious: after sys_umcg_swap, swap loops
	// on its state word as wait does (and takes its wait back if the
	// syscall failed), instead of returning 0 while still RUNNABLE.
	FixSwapLoops
	// FixWakeEINVAL answers wake-kills-waker: waking a worker attached to
	// another server fails with EINVAL instead of killing the waker.
	FixWakeEINVAL
	// FixUtidTable answers tls-after-exit: utids point into a process-wide
	// table, so `*utid` and umcg_task_to_utid never read the TLS of a
	// thread that exited.
	FixUtidTable
	// FixTLSKept answers unregister-free-race: unregister keeps the
	// task_tls for the life of the process (a per-thread cache), so a
	// pointer another thread loaded reads NONE; wake, swap and run_worker
	// do not re-read the target's task_tls on every retry.
	FixTLSKept
	// FixExitUnregisters answers death-leak: the kernel unregisters a task
	// that exits, so it does not stay queued or linked.
	FixExitUnregisters
	// FixGroupList answers create-group-swapped-list: create_group adds the
	// new group to the process's list (v0.1 passes list_add_rcu its two
	// arguments swapped, so only the newest group stays findable).
	FixGroupList
	// FixUnregisterNoKill answers unregister-kills-worker: a served worker
	// that unregisters while its server is not asleep is unlinked and
	// unregistered, instead of being killed (SIGSEGV) with EINVAL.
	FixUnregisterNoKill
	// FixCoreUnregisterClears answers core-unregister-dangling: unregister
	// of a core task clears the task's pointer to its kernel record along
	// with freeing it, so the task can register again.
	FixCoreUnregisterClears
	// FixUnregisterWritesNone answers unregister-word-kept: the kernel
	// writes NONE into the state word on unregister, so a task_tls that
	// outlives the registration (tls-kept) reads as unregistered.
	FixUnregisterWritesNone
	// FixCoreENOMEM answers core-register-einval: a core task's
	// registration that runs out of kernel memory fails with ENOMEM, as
	// the header documents, not EINVAL.
	FixCoreENOMEM
	// FixNoneArgEINVAL answers none-arg-segv: wake, swap and run_worker
	// given UMCG_NONE fail with EINVAL instead of dereferencing it.
	FixNoneArgEINVAL
	// FixHooksPaired answers sleep-while-runnable-kills: when a worker's
	// sleep outside UMCG (a page fault, a mutex) ends, the wake hook
	// undoes only what the block hook did, so a worker whose block hook
	// did nothing (its word said RUNNABLE, between libumcg's CAS and its
	// syscall) returns to user space as it was, instead of being killed.
	FixHooksPaired
	// FixOwnTLSEINVAL answers own-tls-unchecked: poll_worker and
	// run_worker by a thread with no task_tls (never registered, or
	// unregistered) fail with EINVAL, as wait does, instead of a CAS on
	// their own NULL task_tls.
	FixOwnTLSEINVAL
	// FixTLSReused answers reregister-new-tls: a registration takes the
	// thread's kept task_tls (tls-kept's per-thread cache) instead of
	// allocating another, and a failed registration puts it back there
	// instead of freeing it, so a pointer to the thread's task_tls that
	// another thread loaded never goes stale: like the utid, it names the
	// thread, not one registration.
	FixTLSReused
	// FixRunChecksKind answers run-core-task: registration records the
	// task's kind in its task_tls, and run_worker refuses (EINVAL) a
	// target whose task_tls says it is no worker before writing its state
	// word, instead of a CAS RUNNABLE->RUNNING on a waiting core task's
	// word that the kernel refuses only afterwards.
	FixRunChecksKind

	lastFix
)

const numFixes = 31

// numFixes must count the constants above.
var _ [0]struct{} = [lastFix>>numFixes - 1]struct{}{}

// AllFixes is every fix: the Fixed variant.
const AllFixes = FixSet(lastFix - 1)

// fixInfo names each fix and the findings it answers, indexed by bit
// number.
var fixInfo = [numFixes]struct {
	name     string
	findings []string
}{
	{"errno-from-kernel", []string{"errno-overwrite"}},
	{"create-returns-none", []string{"create-returns-minus-one"}},
	{"destroy-eagain", []string{"destroy-errno"}},
	{"poll-no-exit", []string{"poll-exit-on-error"}},
	{"run-no-exit", []string{"run-exit-on-state"}},
	{"run-undo", []string{"run-error-leaves-serving"}},
	{"run-none-errno", []string{"run-none-errno"}},
	{"run-sleeps-on", []string{"run-spurious-return"}},
	{"block-unlinks", []string{"unblock-while-peer"}},
	{"queued-keeps-place", []string{"spurious-requeue"}},
	{"poll-sleeps-on", []string{"poll-spurious-none"}},
	{"run-needs-server", []string{"early-run"}},
	{"run-reason", []string{"state-read-ambiguous"}},
	{"wakeup-in-word", []string{"wait-no-recheck", "wake-eagain-spin"}},
	{"wake-queued-eagain", []string{"wake-queued-spin"}},
	{"wait-eintr-cancels", []string{"wait-eintr-lost"}},
	{"swap-loops", []string{"swap-spurious"}},
	{"wake-einval", []string{"wake-kills-waker"}},
	{"utid-table", []string{"tls-after-exit"}},
	{"tls-kept", []string{"unregister-free-race"}},
	{"exit-unregisters", []string{"death-leak"}},
	{"group-list", []string{"create-group-swapped-list"}},
	{"unregister-no-kill", []string{"unregister-kills-worker"}},
	{"core-unregister-clears", []string{"core-unregister-dangling"}},
	{"unregister-writes-none", []string{"unregister-word-kept"}},
	{"core-enomem", []string{"core-register-einval"}},
	{"none-arg-einval", []string{"none-arg-segv"}},
	{"hooks-paired", []string{"sleep-while-runnable-kills"}},
	{"own-tls-einval", []string{"own-tls-unchecked"}},
	{"tls-reused", []string{"reregister-new-tls"}},
	{"run-checks-kind", []string{"run-core-task"}},
}

func (f Fix) index() int { return bits.TrailingZeros32(uint32(f)) }

func (f Fix) valid() bool { return f != 0 && f&(f-1) == 0 && FixSet(f)&AllFixes != 0 }

// String is the fix's kebab-case name.
func (f Fix) String() string {
	if !f.valid() {
		return fmt.Sprintf("fix(%#x)", uint32(f))
	}
	return fixInfo[f.index()].name
}

// Findings are the findings the fix answers (rows of docs/semantics.md's
// table of corrections).
func (f Fix) Findings() []string {
	if !f.valid() {
		return nil
	}
	return append([]string(nil), fixInfo[f.index()].findings...)
}

// FixNames lists the names of every fix, in the order of docs/semantics.md.
func FixNames() []string {
	ns := make([]string, numFixes)
	for i := range fixInfo {
		ns[i] = fixInfo[i].name
	}
	return ns
}

// FixByName returns the fix with that name.
func FixByName(name string) (Fix, bool) {
	for i := range fixInfo {
		if fixInfo[i].name == name {
			return Fix(1) << i, true
		}
	}
	return 0, false
}

// Has reports whether f is in s.
func (s FixSet) Has(f Fix) bool { return s&FixSet(f) != 0 }

// List is the fixes of s, in the order of docs/semantics.md.
func (s FixSet) List() []Fix {
	var fs []Fix
	for f := Fix(1); FixSet(f)&AllFixes != 0; f <<= 1 {
		if s.Has(f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// String is "none", "all", or the names of s joined by commas, in the order
// of docs/semantics.md; ParseFixes reads it back.
func (s FixSet) String() string {
	switch {
	case s == 0:
		return "none"
	case s == AllFixes:
		return "all"
	}
	var b strings.Builder
	for _, f := range s.List() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.String())
	}
	if rest := s &^ AllFixes; rest != 0 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "fix(%#x)", uint32(rest))
	}
	return b.String()
}

// ParseFixes parses "none" (or ""), "all", or a comma-separated list of fix
// names.
func ParseFixes(s string) (FixSet, error) {
	switch s {
	case "", "none":
		return 0, nil
	case "all":
		return AllFixes, nil
	}
	var set FixSet
	for _, name := range strings.Split(s, ",") {
		f, ok := FixByName(strings.TrimSpace(name))
		if !ok {
			return 0, fmt.Errorf("unknown fix %q (known: %s; or all, none)", name, strings.Join(FixNames(), ", "))
		}
		set |= FixSet(f)
	}
	return set, nil
}

// MarshalText encodes s as ParseFixes reads it.
func (s FixSet) MarshalText() ([]byte, error) {
	if s&^AllFixes != 0 {
		return nil, fmt.Errorf("unknown fix bits %#x", uint32(s&^AllFixes))
	}
	return []byte(s.String()), nil
}

// UnmarshalText is the inverse of MarshalText.
func (s *FixSet) UnmarshalText(b []byte) error {
	p, err := ParseFixes(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// Fixes is the set of fixes the model applies: every fix for the Fixed
// variant, else Config.Fixes.
func (m *Model) Fixes() FixSet {
	if m.cfg.Variant == Fixed {
		return AllFixes
	}
	return m.fixes
}

// fix reports whether the model applies correction f.
func (m *Model) fix(f Fix) bool {
	return m.fixes&FixSet(f) != 0 || m.cfg.Variant == Fixed
}
