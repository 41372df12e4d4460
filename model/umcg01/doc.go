// Package umcg01 is a pure model of UMCG v0.1 (User Managed Concurrency
// Groups, the Linux RFC of May 2021): the task states, the kernel's
// syscalls and events, and libumcg's user-space steps, for two variants:
// Seed (the RFC's code, literally) and Fixed (umcgcheck's corrections).
// Each correction is a named Fix; the Seed variant applies the ones in
// Config.Fixes, the Fixed variant all of them.
// It does no I/O, starts no goroutines and draws no random numbers.
//
// Where things are:
//
//   - state.go: State, the value a search stores (threads and groups), its
//     canonical encoding and Fingerprint.
//   - kernel.go: the kernel level, one atomic function per syscall
//     (SysRegister, SysPollWorker, SysRunWorker, ...) and per event
//     (Block, Unblock, Preempt, Die), and Resume for a woken thread.
//   - library.go: the library level, one step per load, CAS, syscall or
//     free of each libumcg call.
//   - client.go and config.go: the programs that close the model (servers,
//     workers, core tasks, probes) and New, which builds a Model.
//   - fixes.go: the corrections of the fixed variant, one Fix each, and the
//     finding each answers.
//   - step.go: Enabled and Step, what searchers call.
//   - spec.go: Spec, the sequential specification traces are checked against.
//   - symmetry.go: interchangeable threads, for symmetry reduction.
//   - calls.go: the one table of libumcg's calls (argument, sleeps, result).
//   - props.go and checks.go: the properties, bound to a Model.
//   - configs.go: the shipped configurations.
//   - engine.go: the Model as the engine (package sim) sees it.
//   - cli.go: what the umcgcheck command needs (flags, loading, findings).
//   - trace.go: a model run as a trace, and the trace vocabulary.
//
// A Model holds no state: states are values. Step changes the state it is
// given, so callers copy the value first to keep the old one.
package umcg01
