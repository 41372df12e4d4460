package umcg2023

// Bugs are the deliberately broken models (Config.Bug), each named after
// what it breaks; each breaks a property on purpose, so that tests can
// show the property bites (TestEachPropertyBites) and that the shipped
// configurations catch every one (TestMutationScore).
var Bugs = []string{
	"run-unattached", // CTX_SWITCH does not set the worker's server
	"no-wake-idle",   // a push onto the idle-worker list wakes no idle server
	"no-wake-server", // an attached event does not wake its server
	"drop-exit",      // UNREGISTER wakes the server but writes no EXIT
	"no-requeue",     // the server loop does not requeue PREEMPTed workers (as Nanos's demo)
	"keep-slot",      // collecting does not empty the slot (delivered again, or the next event kills the worker)
	"timer-no-push",  // a yielded worker's timeout flags it but neither pushes it nor wakes a server
	"einval-runs",    // bad-switch=einval: the refused CTX_SWITCH still sets the worker RUNNING
	"wake-no-eagain", // WAKE returns 0 when no server is idle
	"unregister-any", // the posting's UNREGISTER of an unregistered thread returns 0, not EINVAL
}
