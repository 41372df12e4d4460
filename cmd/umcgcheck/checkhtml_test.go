package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/umcgcheck/umcgcheck/lincheck"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// TestCheckPageNamesRows: the page check --html writes is porcupine's with
// one script added before </body>, carrying the rows' task names as JSON
// that no name can break out of (TestCheckPageOpensAtFirstFailure renders
// it in Chromium).
func TestCheckPageNamesRows(t *testing.T) {
	res := checkNotLinearizable(t, nil)
	if got := strings.Join(res.Rows, " "); got != "s1 w1" {
		t.Errorf("rows %q, want the trace's tasks s1 w1", got)
	}
	res.Rows[0] = "</script><b>"
	page, err := writeCheckPage(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`})(["\u003c/script\u003e\u003cb\u003e","w1"]);`)) {
		t.Error("the rows are not in the page as escaped JSON")
	}
	if bytes.Contains(page, []byte("</script><b>")) {
		t.Error("a task name reached the page as markup")
	}
	at := bytes.Index(page, []byte("(function (rows)"))
	if bytes.Count(page, []byte("(function (rows)")) != 1 || at > bytes.LastIndex(page, []byte("</body>")) {
		t.Error("the script is not added once, before </body>")
	}
}

// checkNotLinearizable checks testdata/not-linearizable.jsonl, its task
// names first replaced by rename's, for the page.
func checkNotLinearizable(t *testing.T, rename *strings.Replacer) lincheck.Result {
	t.Helper()
	data, err := os.ReadFile("testdata/not-linearizable.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if rename != nil {
		data = []byte(rename.Replace(string(data)))
	}
	tr, err := traces.ReadAll(bytes.NewReader(data), "not-linearizable.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	res, err := lincheck.CheckWith(tr, lincheck.Options{Visualize: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCheckPageEscapesStates: porcupine puts state descriptions into
// innerHTML; a task named with markup (a trace accepts any UTF-8 name)
// reaches them only escaped, while the operation descriptions, which
// porcupine puts into textContent, keep the name as it is.
func TestCheckPageEscapesStates(t *testing.T) {
	evil := `<img src=x onerror=alert(1)>`
	res := checkNotLinearizable(t, strings.NewReplacer(`"s1"`, `"`+evil+`"`))
	page, err := writeCheckPage(res)
	if err != nil {
		t.Fatal(err)
	}
	// In porcupine's JSON, < is \u003c and & is \u0026.
	states := regexp.MustCompile(`"StateDescription":"[^"]*`).FindAll(page, -1)
	if len(states) == 0 {
		t.Fatal("no state description on the page")
	}
	named := 0
	for _, d := range states {
		if bytes.Contains(d, []byte(`\u003c`)) {
			t.Fatalf("a state description carries markup: %s", d)
		}
		if bytes.Contains(d, []byte(`\u0026lt;img src=x onerror=alert(1)\u0026gt;`)) {
			named++
		}
	}
	if named == 0 {
		t.Error("no state description names the task, escaped")
	}
	if !regexp.MustCompile(`"Description":"\\u003cimg src=x onerror=alert\(1\)\\u003e: `).Match(page) {
		t.Error("the operation descriptions lost the task's name as it is")
	}
}

// TestCheckPageUnknownEnd: an op of unknown outcome (version 2) has no
// return; the page shows its end as unknown, not as the time the checker
// gives it (lincheck.NoReturn).
func TestCheckPageUnknownEnd(t *testing.T) {
	data, err := os.ReadFile("../../traces/testdata/v2-unknown-signal-died.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll(bytes.NewReader(data), "v2.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	res, err := lincheck.CheckWith(tr, lincheck.Options{Visualize: true})
	if err != nil {
		t.Fatal(err)
	}
	page, err := writeCheckPage(res)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte(strconv.FormatInt(lincheck.NoReturn, 10))) {
		t.Error("the page shows NoReturn as a time")
	}
	if n := bytes.Count(page, []byte(`"OriginalEnd":"unknown"`)); n != 1 {
		t.Errorf("%d ends shown unknown, want 1 (c2's wake)", n)
	}
}
