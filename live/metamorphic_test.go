package live

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"golang.org/x/sys/unix"
	"pgregory.net/rapid"
)

// A model-based test in the spirit of pebble's metamorphic tests: rapid
// picks the next API call or kernel event among those the protocol allows
// now, the emu backend performs it on a real thread, and the result (and
// whether the call slept, and which sleepers it woke) is compared with
// model.Spec's, step by step.

type actorMsg struct {
	sleeping bool
	ret      Task
	err      error
}

// actor is one task's locked OS thread, running the calls it is sent.
type actor struct {
	cmds chan func(m Marker) (Task, error)
	out  chan actorMsg
}

func (a *actor) Sleeping() { a.out <- actorMsg{sleeping: true} }
func (a *actor) Woken()    {}

func newActor(wg *sync.WaitGroup) *actor {
	a := &actor{cmds: make(chan func(Marker) (Task, error)), out: make(chan actorMsg, 4)}
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.LockOSThread() // the thread exits with the goroutine
		for f := range a.cmds {
			r, err := f(a)
			a.out <- actorMsg{ret: r, err: err}
		}
	}()
	return a
}

const stepTimeout = 2 * time.Second

// chooser draws the choices of a metamorphic case and reports its
// failure: rapid's T, or a seeded source for the seeded-bug test.
type chooser interface {
	draw(lo, hi int, label string) int
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

type rapidChooser struct{ *rapid.T }

func (c rapidChooser) draw(lo, hi int, label string) int {
	return rapid.IntRange(lo, hi).Draw(c.T, label)
}

func (a *actor) next(rt chooser, what string) actorMsg {
	select {
	case m := <-a.out:
		return m
	case <-time.After(stepTimeout):
		rt.Fatalf("%s: no answer after %v", what, stepTimeout)
	}
	return actorMsg{}
}

func specRet(t Task) int16 {
	if t == nil {
		return 0
	}
	return int16(t.ID() + 1)
}

func specErrno(err error) model.Errno {
	e, _ := errnoOf(err)
	return model.Errno(e)
}

// busy kinds
const (
	idle = iota
	inCall
	inUnblock // waiting in Unblock to be run
)

func TestMetamorphic(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) { metamorphic(rapidChooser{rt}, BugNone) })
}

// metamorphic is one rapid case on the emu backend with bug.
func metamorphic(rt chooser, bug Bug) {
	errorPaths := rt.draw(0, 1, "error paths") == 1
	{
		nS := rt.draw(1, 2, "servers")
		nW := rt.draw(1, 3, "workers")
		n := nS + nW
		sp, err := model.NewSpec(n, 1, 1)
		if err != nil {
			rt.Fatal(err)
		}
		s := sp.Init()
		e := NewEmu(bug)
		g, _ := e.CreateGroup()
		var wg sync.WaitGroup
		actors := make([]*actor, n)
		handles := make([]Task, n)
		busy := make([]int, n)
		calls := make([]model.Call, n)
		polled := make([]Task, n)
		registered := make([]bool, n)
		done := make([]bool, n)
		blocked := make([]bool, n)
		for i := range actors {
			actors[i] = newActor(&wg)
		}
		defer func() {
			e.Abort()
			for i, a := range actors {
				if busy[i] != idle {
					select { // ErrAborted, unless it answered already
					case <-a.out:
					case <-time.After(stepTimeout):
					}
				}
				close(a.cmds)
			}
			wg.Wait()
		}()
		run := func(op model.SpecOp) model.SpecOp {
			res, ok := sp.Run(&s, op)
			if !ok {
				rt.Fatalf("the model cannot do %+v", op)
			}
			return res
		}
		check := func(what string, res model.SpecOp, m actorMsg) {
			if res.Ret != specRet(m.ret) || res.Errno != specErrno(m.err) {
				rt.Fatalf("%s: emu returned %d errno %d (%v), the model %d errno %d", what, specRet(m.ret), specErrno(m.err), m.err, res.Ret, res.Errno)
			}
		}
		// call sends f to actor i, a sleeping call when sleeps, and
		// compares with the model.
		call := func(i int, c model.Call, arg int8, sleeps bool, f func(m Marker) (Task, error)) {
			what := c.String() + " by task " + string(rune('0'+i))
			actors[i].cmds <- f
			m := actors[i].next(rt, what)
			if !sleeps {
				check(what, run(model.SpecOp{Thread: int8(i), Call: c, Arg: arg}), m)
				return
			}
			run(model.SpecOp{Thread: int8(i), Call: c, Arg: arg, Phase: model.Request})
			modelSlept := s.T[i].Sleep != model.Awake
			if m.sleeping != modelSlept {
				rt.Fatalf("%s: emu slept %v, the model %v", what, m.sleeping, modelSlept)
			}
			if m.sleeping {
				busy[i], calls[i] = inCall, c
				return
			}
			check(what, run(model.SpecOp{Thread: int8(i), Call: c, Phase: model.Followup}), m)
			if c == model.CallPollWorker {
				polled[i] = m.ret
			}
		}
		steps := rt.draw(1, 40, "steps")
		for step := 0; step < steps; step++ {
			// The actions allowed now.
			type action struct {
				name string
				do   func()
			}
			var acts []action
			for i := 0; i < n; i++ {
				if busy[i] != idle || done[i] {
					continue
				}
				if i < nS {
					if !registered[i] {
						acts = append(acts, action{"register_server", func() {
							call(i, model.CallRegisterServer, 0, false, func(Marker) (Task, error) {
								h, err := e.RegisterServer(g, i)
								handles[i] = h
								return h, err
							})
							registered[i] = true
						}})
						continue
					}
					acts = append(acts, action{"poll_worker", func() {
						call(i, model.CallPollWorker, model.None, true, func(m Marker) (Task, error) { return e.PollWorker(handles[i], m) })
					}})
					if errorPaths {
						j := rt.draw(0, n-1, "target")
						acts = append(acts, action{"run_worker(any)", func() {
							w := handles[j]
							if w == nil {
								// A worker that sleeps in register_worker
								// has a handle its caller has not yet seen.
								e.mu.lock()
								for _, t := range e.tasks {
									if t.id == j {
										w = t
									}
								}
								e.mu.unlock()
							}
							if polled[i] == w {
								polled[i] = nil
							}
							call(i, model.CallRunWorker, int8(j), true, func(m Marker) (Task, error) { return e.RunWorker(handles[i], w, m) })
						}})
					}
					if w := polled[i]; w != nil {
						acts = append(acts, action{"run_worker", func() {
							polled[i] = nil
							call(i, model.CallRunWorker, int8(w.ID()), true, func(m Marker) (Task, error) { return e.RunWorker(handles[i], w, m) })
						}})
					}
					continue
				}
				switch {
				case !registered[i]:
					acts = append(acts, action{"register_worker", func() {
						registered[i] = true
						call(i, model.CallRegisterWorker, 0, true, func(m Marker) (Task, error) {
							h, err := e.RegisterWorker(g, i, m)
							handles[i] = h
							return h, err
						})
					}})
				case blocked[i]:
					acts = append(acts, action{"unblock", func() {
						blocked[i] = false
						actors[i].cmds <- func(m Marker) (Task, error) { return nil, e.Unblock(handles[i], m) }
						if m := actors[i].next(rt, "unblock"); !m.sleeping {
							rt.Fatalf("unblock of %d did not sleep: %v", i, m.err)
						}
						run(model.SpecOp{Thread: int8(i), Event: model.EventUnblock})
						busy[i] = inUnblock
					}})
				default: // running
					acts = append(acts, action{"block", func() {
						actors[i].cmds <- func(Marker) (Task, error) {
							err := e.Block(handles[i])
							ts := unix.Timespec{Nsec: 1000}
							unix.Nanosleep(&ts, nil) // the real blocking syscall
							return nil, err
						}
						if m := actors[i].next(rt, "block"); m.err != nil {
							rt.Fatalf("block of %d: %v", i, m.err)
						}
						run(model.SpecOp{Thread: int8(i), Event: model.EventBlock})
						blocked[i] = true
					}}, action{"unregister_task", func() {
						call(i, model.CallUnregister, model.None, false, func(Marker) (Task, error) { return nil, e.Unregister(handles[i]) })
						done[i] = true
					}})
				}
			}
			if len(acts) == 0 {
				break
			}
			a := acts[rt.draw(0, len(acts)-1, "action")]
			a.do()
			// The sleepers the model woke must return; the others must not.
			for i := 0; i < n; i++ {
				if busy[i] == idle {
					continue
				}
				if s.T[i].Wake == model.WakeNone {
					select {
					case m := <-actors[i].out:
						rt.Fatalf("task %d returned (%v) but the model did not wake it", i, m.err)
					default:
					}
					continue
				}
				m := actors[i].next(rt, "the wakeup of task "+string(rune('0'+i)))
				was := busy[i]
				busy[i] = idle
				if was == inCall {
					check(calls[i].String()+" followup", run(model.SpecOp{Thread: int8(i), Call: calls[i], Phase: model.Followup}), m)
					if calls[i] == model.CallPollWorker {
						polled[i] = m.ret
					}
				} else if m.err != nil {
					rt.Fatalf("unblock of %d: %v", i, m.err)
				}
			}
		}
	}
}

// seededChooser draws from a seeded source; Fatalf ends the case with a
// panic that metamorphicFails recovers.
type seededChooser struct{ r *rand.Rand }

type caseFailed struct{ msg string }

func (c seededChooser) draw(lo, hi int, _ string) int { return lo + c.r.IntN(hi-lo+1) }
func (c seededChooser) Fatalf(format string, args ...any) {
	panic(caseFailed{fmt.Sprintf(format, args...)})
}
func (c seededChooser) Fatal(args ...any) { panic(caseFailed{fmt.Sprint(args...)}) }

// metamorphicFails runs one seeded case and returns its failure, or "".
func metamorphicFails(bug Bug, seed uint64) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(caseFailed)
			if !ok {
				panic(r)
			}
			msg = f.msg
		}
	}()
	metamorphic(seededChooser{rand.New(rand.NewPCG(seed, 1))}, bug)
	return ""
}

// TestMetamorphicCatchesBugs: the metamorphic test catches each seeded bug
// that does not hang within 100 seeded cases (the hanging ones, lost-wakeup
// and block-no-wake, are caught too, as "no answer after 2s", but slowly).
func TestMetamorphicCatchesBugs(t *testing.T) {
	for _, bug := range []Bug{BugLIFOQueue, BugDoubleRun, BugWrongErrno, BugUnblockRuns} {
		caught := 0
		var msg string
		for seed := uint64(0); seed < 100 && caught == 0; seed++ {
			if msg = metamorphicFails(bug, seed); msg != "" {
				caught = int(seed) + 1
			}
		}
		if caught == 0 {
			t.Fatalf("%s: not caught in 100 cases", bug)
		}
		t.Logf("%-14s caught at case %d: %s", bug, caught, msg)
	}
}
