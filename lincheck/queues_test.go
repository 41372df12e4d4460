package lincheck

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
	"pgregory.net/rapid"
)

// poolRegistrations writes a trace in which server s1 registers in g1,
// workers w0... send register_worker requests over the intervals given,
// and s1 then polls, from time pollAt on, the workers of polls in turn.
func poolRegistrations(req [][2]int64, pollAt int64, polls []int) string {
	var b strings.Builder
	tasks := []string{`"s1"`}
	for i := range req {
		tasks = append(tasks, fmt.Sprintf(`"w%d"`, i))
	}
	fmt.Fprintf(&b, `{"format":"umcg-trace","version":1,"source":"test","clock":"ns","tasks":[%s],"groups":["g1"]}`+"\n", strings.Join(tasks, ","))
	b.WriteString(`{"thread":"s1","op":"register_server","args":{"group":"g1"},"ret":"s1","errno":0,"call":100,"return":150}` + "\n")
	for i, r := range req {
		fmt.Fprintf(&b, `{"thread":"w%d","op":"register_worker","phase":"request","args":{"group":"g1"},"ret":null,"errno":0,"call":%d,"return":%d}`+"\n", i, r[0], r[1])
	}
	for k, w := range polls {
		t := pollAt + 100*int64(k)
		fmt.Fprintf(&b, `{"thread":"s1","op":"poll_worker","phase":"request","args":{},"ret":null,"errno":0,"call":%d,"return":%d}`+"\n", t, t+10)
		fmt.Fprintf(&b, `{"thread":"s1","op":"poll_worker","phase":"followup","ret":"w%d","errno":0,"call":%d,"return":%d}`+"\n", w, t+20, t+30)
	}
	return b.String()
}

// queueOracle is the verdict of a poolRegistrations trace whose polls all
// come after every request returned, worked out from the intervals alone:
// the polls must take distinct workers, and each only after every worker
// whose request returned before its own was called.
func queueOracle(req [][2]int64, polls []int) Verdict {
	taken := map[int]bool{}
	for _, p := range polls {
		if taken[p] {
			return NotLinearizable
		}
		for j, r := range req {
			if r[1] < req[p][0] && !taken[j] {
				return NotLinearizable // j was queued first, and is still there
			}
		}
		taken[p] = true
	}
	return Linearizable
}

// checkBoth checks trace text s with the queue blocks and without.
func checkBoth(t interface{ Fatal(...any) }, s string) (blocks, concrete Verdict) {
	tr, err := traces.ReadAll(strings.NewReader(s), "pool.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	b, err := CheckWith(tr, Options{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := CheckWith(tr, Options{Timeout: 20 * time.Second, concreteQueues: true})
	if err != nil {
		t.Fatal(err)
	}
	return b.Verdict, c.Verdict
}

// TestQueueOrderObservedLater: the blocks keep what the times fix, and
// the polls after them see it. w1 overlaps w0 and w2, and w2 is called
// after w0 returned: w0 is queued before w2 in every order, w1 anywhere.
// Each poll order gets the verdict it gets without blocks, and the
// oracle's. (At most two requests are pending at once: blocks form only
// with blockWidth lowered to 2.)
func TestQueueOrderObservedLater(t *testing.T) {
	defer func(w int) { blockWidth = w }(blockWidth)
	blockWidth = 2
	req := [][2]int64{{200, 300}, {250, 400}, {350, 500}}
	for _, c := range []struct {
		polls []int
		want  Verdict
	}{
		{[]int{0, 1, 2}, Linearizable},
		{[]int{1, 0, 2}, Linearizable},
		{[]int{0, 2, 1}, Linearizable}, // w1 may be queued last (it returns at 400)
		{[]int{1, 2, 0}, NotLinearizable},
		{[]int{2, 0, 1}, NotLinearizable},
		{[]int{2}, NotLinearizable},
		{[]int{1, 0, 1}, NotLinearizable},
	} {
		b, conc := checkBoth(t, poolRegistrations(req, 600, c.polls))
		if b != c.want || conc != c.want || queueOracle(req, c.polls) != c.want {
			t.Errorf("polls %v: with blocks %s, without %s, oracle %s; want %s", c.polls, b, conc, queueOracle(req, c.polls), c.want)
		}
	}
}

// TestQueueBlocksKeepVerdicts: the queue blocks and the persistent set
// (queues.go) give the verdict the plain search gives, on pools of workers
// whose requests overlap at random and whose polls come after them (where
// the verdict is also worked out from the intervals, queueOracle) or
// among them, in orders right and wrong, in the level search and (with
// the level width bounded low) the depth-first one. The cut search
// against porcupine on whole partitions, blocks included, is
// TestCutsKeepVerdicts.
func TestQueueBlocksKeepVerdicts(t *testing.T) {
	defer func(w, b int) { maxWidth, blockWidth = w, b }(maxWidth, blockWidth)
	counts := map[string]int{}
	rapid.Check(t, func(rt *rapid.T) {
		maxWidth = rapid.SampledFrom([]int{1, 3, 1 << 10}).Draw(rt, "maxWidth")
		blockWidth = rapid.SampledFrom([]int{2, 3}).Draw(rt, "blockWidth")
		k := rapid.IntRange(2, 6).Draw(rt, "workers")
		req := make([][2]int64, k)
		end := int64(0)
		for i := range req {
			c := 200 + rapid.Int64Range(0, 300).Draw(rt, "call")
			req[i] = [2]int64{c, c + rapid.Int64Range(1, 300).Draw(rt, "length")}
			end = max(end, req[i][1])
		}
		after := rapid.Bool().Draw(rt, "polls after")
		pollAt := end + 10
		if !after {
			pollAt = rapid.Int64Range(160, end).Draw(rt, "poll at")
		}
		polls := drawPolls(rt, k)
		s := poolRegistrations(req, pollAt, polls)
		b, c := checkBoth(rt, s)
		if b == Unknown || c == Unknown {
			rt.Skip("timed out")
		}
		if b != c {
			rt.Fatalf("with blocks %s, without %s\n%s", b, c, s)
		}
		if o := queueOracle(req, polls); after && o != b {
			rt.Fatalf("verdict %s, oracle %s\n%s", b, o, s)
		}
		counts[string(b)]++
	})
	t.Logf("verdicts compared: %v", counts)
	if counts[string(Linearizable)] == 0 || counts[string(NotLinearizable)] == 0 {
		t.Errorf("the traces drawn were not of both kinds: %v", counts)
	}
}

// TestFailingPoolIsQuick: a failing pool of 64 workers (one polled twice)
// is ruled out in well under a second, where the plain search tries every
// order of the queue (9 workers took 6 s).
func TestFailingPoolIsQuick(t *testing.T) {
	n := 64
	order := make([]int, n)
	for i := range order {
		order[i] = (i*5 + 3) % n
	}
	order = append(order, order[0])
	start := time.Now()
	res, err := checkString(t, registrations(order))
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != NotLinearizable {
		t.Errorf("a worker polled twice: %s", res.Verdict)
	}
	if d := time.Since(start); d > time.Second && !raceEnabled {
		t.Errorf("took %v", d)
	}
}

// TestFortyWorkers: a group of 40 workers that register at once and are
// polled (in an order the queue allows, and with one polled twice) is
// checked in well under a second.
func TestFortyWorkers(t *testing.T) {
	const n = 40
	for _, fail := range []bool{false, true} {
		order := make([]int, n)
		for i := range order {
			order[i] = (i*7 + 3) % n
		}
		want := Linearizable
		if fail {
			order = append(order[:n-1], order[0])
			want = NotLinearizable
		}
		start := time.Now()
		res, err := checkString(t, registrations(order))
		if err != nil || res.Verdict != want {
			t.Fatalf("%s, want %s (%v)", res.Verdict, want, err)
		}
		if d := time.Since(start); d > time.Second && !raceEnabled {
			t.Errorf("%s: took %v", want, d)
		}
	}
}

// unblockPool is a trace in which server s0 runs workers w0... in turn
// until each blocks (times in sequence), then the workers' blocking
// syscalls return over the intervals unblock gives, and s0 polls, from
// pollAt on, the workers of polls in turn.
func unblockPool(tb fataler, unblock [][2]int64, pollAt int64, polls []int) traces.Trace {
	k := len(unblock)
	sp, err := model.NewSpec(k+1, 1, 1)
	if err != nil {
		tb.Fatal(err)
	}
	names := []string{"s0"}
	for i := range k {
		names = append(names, fmt.Sprintf("w%d", i))
	}
	s := sp.Init()
	tr := traces.Trace{Header: traces.Header{Version: traces.Version, Source: "test", Clock: traces.ClockNS, Tasks: names, Groups: []string{"g"}}}
	now := int64(0)
	add := func(op traces.Op, call, ret int64) {
		op.Call, op.Return = call, ret
		tr.Ops = append(tr.Ops, op)
	}
	run := func(so model.SpecOp) model.SpecOp {
		r, ok := sp.Run(&s, so)
		if !ok {
			tb.Fatalf("the setup is not allowed at %+v", so)
		}
		now += 10
		add(specTraceOp(r, names, "g"), now, now+5)
		return r
	}
	run(model.SpecOp{Thread: 0, Call: model.CallRegisterServer, Arg: 0})
	for i := int8(1); i <= int8(k); i++ {
		run(model.SpecOp{Thread: i, Call: model.CallRegisterWorker, Phase: model.Request, Arg: 0})
		run(model.SpecOp{Thread: 0, Call: model.CallPollWorker, Phase: model.Request, Arg: model.None})
		run(model.SpecOp{Thread: 0, Call: model.CallPollWorker, Phase: model.Followup, Arg: model.None})
		run(model.SpecOp{Thread: 0, Call: model.CallRunWorker, Phase: model.Request, Arg: i})
		run(model.SpecOp{Thread: i, Call: model.CallRegisterWorker, Phase: model.Followup, Arg: model.None})
		run(model.SpecOp{Thread: i, Event: model.EventBlock, Arg: model.None})
		run(model.SpecOp{Thread: 0, Call: model.CallRunWorker, Phase: model.Followup, Arg: model.None})
	}
	base := now + 100
	for i, iv := range unblock {
		add(traces.Op{Thread: names[i+1], Kind: traces.OpKind(model.EventUnblock.String())}, base+iv[0], base+iv[1])
	}
	for j, w := range polls {
		t := base + pollAt + 100*int64(j)
		add(traces.Op{Thread: "s0", Kind: "poll_worker", Phase: traces.PhaseRequest}, t, t+10)
		add(traces.Op{Thread: "s0", Kind: "poll_worker", Phase: traces.PhaseFollowup, Ret: traces.NameRet(names[w+1])}, t+20, t+30)
	}
	return tr
}

// TestUnblockBlocksKeepVerdicts: as TestQueueBlocksKeepVerdicts, for a
// pool of workers whose blocking syscalls return at once (unblock events
// queue them as register_worker requests do).
func TestUnblockBlocksKeepVerdicts(t *testing.T) {
	defer func(w, b int) { maxWidth, blockWidth = w, b }(maxWidth, blockWidth)
	counts := map[string]int{}
	rapid.Check(t, func(rt *rapid.T) {
		maxWidth = rapid.SampledFrom([]int{1, 3, 1 << 10}).Draw(rt, "maxWidth")
		blockWidth = rapid.SampledFrom([]int{2, 3}).Draw(rt, "blockWidth")
		k := rapid.IntRange(2, 6).Draw(rt, "workers")
		unblock := make([][2]int64, k)
		end := int64(0)
		for i := range unblock {
			c := rapid.Int64Range(0, 300).Draw(rt, "call")
			unblock[i] = [2]int64{c, c + rapid.Int64Range(1, 300).Draw(rt, "length")}
			end = max(end, unblock[i][1])
		}
		after := rapid.Bool().Draw(rt, "polls after")
		pollAt := end + 10
		if !after {
			pollAt = rapid.Int64Range(0, end).Draw(rt, "poll at")
		}
		polls := drawPolls(rt, k)
		tr := unblockPool(rt, unblock, pollAt, polls)
		var buf strings.Builder
		if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
			rt.Fatal(err)
		}
		b, c := checkBoth(rt, buf.String())
		if b == Unknown || c == Unknown {
			rt.Skip("timed out")
		}
		if b != c {
			rt.Fatalf("with blocks %s, without %s\n%s", b, c, buf.String())
		}
		if o := queueOracle(unblock, polls); after && o != b {
			rt.Fatalf("verdict %s, oracle %s\n%s", b, o, buf.String())
		}
		counts[string(b)]++
	})
	t.Logf("verdicts compared: %v", counts)
	if counts[string(Linearizable)] == 0 || counts[string(NotLinearizable)] == 0 {
		t.Errorf("the traces drawn were not of both kinds: %v", counts)
	}
}

// drawPolls draws the workers a pool's polls return, in order: some of the
// k workers, each once, and maybe one of them again (a wrong trace).
func drawPolls(rt *rapid.T, k int) []int {
	polls := rapid.Permutation(slices.Collect(func(yield func(int) bool) {
		for i := range k {
			if !yield(i) {
				return
			}
		}
	})).Draw(rt, "order")[:rapid.IntRange(1, k).Draw(rt, "polled")]
	if rapid.Bool().Draw(rt, "repeat") {
		polls = append(polls, polls[rapid.IntRange(0, len(polls)-1).Draw(rt, "repeated")])
	}
	return polls
}

// TestBlocksOnlyWhereTheyPay: blocks may form where at least blockWidth
// ops that may queue a worker are pending at once, and only there: a
// pool of three registering at once has them; two at once, and the
// generated traces whose workers unblock at most two at a time
// (poolTrace with two workers), are searched on plain states.
func TestBlocksOnlyWhereTheyPay(t *testing.T) {
	blocks := func(tr traces.Trace) bool {
		t.Helper()
		parts, err := partitionTrace(expand(tr, model.Vocabulary()).t)
		if err != nil || len(parts) != 1 {
			t.Fatalf("%d partitions, %v", len(parts), err)
		}
		return newQueuer(parts[0].spec, parts[0].history(0), false).blocks()
	}
	read := func(s string) traces.Trace {
		tr, err := traces.ReadAll(strings.NewReader(s), "pool.jsonl", model.Vocabulary())
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	// w1 overlaps w0 and w2, which do not overlap: two at once at most.
	if blocks(read(poolRegistrations([][2]int64{{200, 300}, {250, 400}, {350, 500}}, 600, []int{0, 1, 2}))) {
		t.Error("two registrations at once at most: blocks")
	}
	if !blocks(read(poolRegistrations([][2]int64{{200, 300}, {250, 400}, {280, 500}}, 600, []int{0, 1, 2}))) {
		t.Error("three registrations at once: no blocks")
	}
	if blocks(poolTrace(t, 10000, 2, 40, 1)) {
		t.Error("poolTrace with two workers: blocks")
	}
}

// TestOverlapComponents: newQueuer lets exactly the ops that may queue a
// worker whose component of the overlap graph (closed intervals, an
// unknown outcome's open to the end) is at least max(2, blockWidth)
// wide open blocks, as the definition says it, checked here pair by pair
// on random histories; other ops never.
func TestOverlapComponents(t *testing.T) {
	defer func(b int) { blockWidth = b }(blockWidth)
	sp, err := model.NewSpec(4, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(rt *rapid.T) {
		blockWidth = rapid.IntRange(1, 4).Draw(rt, "blockWidth")
		n := rapid.IntRange(1, 12).Draw(rt, "ops")
		hist := make([]porcupine.Operation, n)
		join := make([]bool, n)
		for i := range hist {
			call := rapid.Int64Range(0, 40).Draw(rt, "call")
			ret := call + rapid.Int64Range(0, 10).Draw(rt, "length")
			if rapid.IntRange(0, 9).Draw(rt, "never returns") == 0 {
				ret = NoReturn
			}
			op := model.SpecOp{Event: model.EventUnblock, Thread: int8(i % 4)}
			if join[i] = rapid.IntRange(0, 4).Draw(rt, "other op") > 0; !join[i] {
				op = model.SpecOp{Event: model.NoEvent, Call: model.CallWait, Thread: int8(i % 4)}
			}
			hist[i] = porcupine.Operation{ClientId: i % 4, Input: specInput{op: op}, Call: call, Return: ret}
		}
		overlap := func(a, b int) bool { return hist[a].Call <= hist[b].Return && hist[b].Call <= hist[a].Return }
		comp := make([]int, n) // the least op of i's component
		for i := range comp {
			comp[i] = i
		}
		for changed := true; changed; {
			changed = false
			for a := range n {
				for b := range n {
					if join[a] && join[b] && overlap(a, b) && comp[b] < comp[a] {
						comp[a], changed = comp[b], true
					}
				}
			}
		}
		width := make([]int, n) // by component: the most of its ops pending at one of their calls
		for x := range n {
			k := 0
			for y := range n {
				if join[x] && join[y] && comp[y] == comp[x] && hist[y].Call <= hist[x].Call && hist[x].Call <= hist[y].Return {
					k++
				}
			}
			width[comp[x]] = max(width[comp[x]], k)
		}
		qu := newQueuer(sp, hist, false)
		for i := range n {
			if want := join[i] && width[comp[i]] >= max(2, blockWidth); qu.mayOpen[i] != want {
				rt.Fatalf("op %d [%d, %d] (may queue: %v): may open a block %v, want %v", i, hist[i].Call, hist[i].Return, join[i], qu.mayOpen[i], want)
			}
		}
	})
}
