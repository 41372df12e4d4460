package umcg01_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// TestExploreInDocumentationWords: explore's states (text and dot) and
// its steps' changes say what a task is and where it sleeps in the words
// of docs/semantics.md, as check --html does (lincheck's
// TestStatesInDocumentationWords), never the model's internal names (its
// sleep kinds, the kernel's waiters list, peer links). Random walks over
// configurations with workers, servers, core tasks and general clients
// must meet each documented phrase at least once.
func TestExploreInDocumentationWords(t *testing.T) {
	internal := regexp.MustCompile(`\((idle|io|poll|run|wait|swap)\)|\b(waiters|peer|Peer)\b|registered as (core|none)$|\[`)
	phrases := []string{
		"server PROCESSING", "core task RUNNING", "its server ", "its worker ",
		"asleep until a server runs it", "asleep in poll_worker", "asleep in run_worker",
		"blocked in a system call", "queue of g0: workers ", "queue of g0: polling servers ",
		"queue of g0: empty", "registered as worker",
	}
	met := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range []string{"default", "core", "general", "groups2"} {
		m, err := model.New(config(name))
		if err != nil {
			t.Fatal(err)
		}
		e := m.Engine()
		var buf []model.Action
		for walk := 0; walk < 50; walk++ {
			s := m.Init()
			texts := []string{e.DescribeState(&s)}
			for d := 0; d < 60; d++ {
				if buf = m.Enabled(&s, buf[:0]); len(buf) == 0 {
					break
				}
				before := s
				o := m.Step(&s, buf[rng.IntN(len(buf))])
				texts = append(texts, e.DescribeState(&s))
				texts = append(texts, e.ExplainStep(&before, &s, &o).Changes...)
			}
			for _, x := range texts {
				if w := internal.FindString(x); w != "" {
					t.Fatalf("%s: %q names %q, a name of the model, not of the documentation", name, x, w)
				}
				for _, p := range phrases {
					met[p] = met[p] || strings.Contains(x, p)
				}
			}
		}
	}
	for _, p := range phrases {
		if !met[p] {
			t.Errorf("no state or step says %q", p)
		}
	}
}
