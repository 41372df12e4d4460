package umcg01

import "sort"

// bug is a deliberate defect, switched on by Config.Bug. Each one breaks a
// property on purpose, so that tests can show the property bites.
type bug uint8

const (
	bugNone                 bug = iota
	bugLIFOQueue                // poll_worker takes the newest UNBLOCKED worker
	bugUnblockNoWake            // an unblocked worker is queued even when a server polls
	bugRunLeavesServing         // run_worker returns without its CAS SERVING->PROCESSING
	bugPreemptKeepsRunning      // preemption returns the server's run_worker but leaves the worker running
	bugBlockKeepsPeer           // the fixed kernel keeps the peer link after block, as v0.1 does
	bugPollBadCAS               // poll_worker's first CAS expects SERVING, so it exits
	bugUnblockToRunning         // unblock makes the worker RUNNING instead of UNBLOCKED
	bugPollSetsRunnable         // poll_worker sets the server RUNNABLE instead of POLLING
	bugDestroyEBUSY             // destroy_group reports the kernel's EBUSY instead of EAGAIN
	bugUnregisterDangling       // unregister frees the task_tls but leaves the pointer to it
	bugUnregisterNoWake         // a served worker's unregister does not wake its server
	bugWakeSpin                 // umcg_wake spins on a queued wakeup (as the seed does)
	bugRunEAGAINLoop            // sys_umcg_run_worker says EAGAIN for a worker sleeping idle, forever
	bugPollIgnoresQueue         // sys_umcg_poll_worker sleeps even when a worker is queued
	bugStalePeer                // a worker's unregister leaves its server's peer link to it
	bugRegisterNotQueued        // a registering worker is UNBLOCKED but neither queued nor handed over
	bugDieKeepsRegistered       // a dead task stays registered, queued or linked, despite exit-unregisters
	bugErrnoLost                // a failing call leaves errno 0
	bugWakeDropped              // umcg_wake on a RUNNING task returns 0 without queueing the wakeup
	bugWaitForgetsQueued        // wait on RUNNING|WAKEUP_QUEUED sleeps instead of consuming the wakeup
	bugRunNoUndo                // run_worker's error path undoes its own CAS but not the worker's
	bugUnregisterKeepsLink      // unregister leaves both ends of the task's peer link
	bugWaitUnregisteredOK       // wait by a thread with no task_tls returns 0 instead of EINVAL
	bugWakeHookUnpaired         // the fixed wake hook processes a worker whose block hook did nothing, as v0.1 does
	bugRegisterOneTask          // sys_umcg_register_task refuses (EINVAL) a group that already has a task
	bugRunReturnsSelf           // run_worker returns the server's own utid instead of the worker's
	bugUnregisterKeepsCount     // unregister leaves the group's nr_tasks as it was
	bugRunCheckInverted         // the fixed sys_umcg_run_worker refuses exactly the workers the library marked RUNNING
	numBugs
)

var bugNames = [...]string{"", "lifo-queue", "unblock-no-wake", "run-leaves-serving",
	"preempt-keeps-running", "block-keeps-peer", "poll-bad-cas", "unblock-to-running",
	"poll-sets-runnable", "destroy-ebusy", "unregister-dangling", "unregister-no-wake",
	"wake-spin", "run-eagain-loop", "poll-ignores-queue", "stale-peer", "register-not-queued",
	"die-keeps-registered", "errno-lost", "wake-dropped", "wait-forgets-queued", "run-no-undo",
	"unregister-keeps-link", "wait-unregistered-ok", "wake-hook-unpaired",
	"register-one-task", "run-returns-self", "unregister-keeps-count", "run-check-inverted"}

func bugByName(name string) (bug, bool) {
	for b := bugNone; b < numBugs; b++ {
		if bugNames[b] == name {
			return b, true
		}
	}
	return 0, false
}

// BugNames lists the deliberate bugs Config.Bug accepts, sorted.
func BugNames() []string {
	ns := append([]string(nil), bugNames[1:]...)
	sort.Strings(ns)
	return ns
}
