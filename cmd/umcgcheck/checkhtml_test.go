package main

import (
	"bytes"
	"os"
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
	f, err := os.Open("testdata/not-linearizable.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := traces.ReadAll(f, "not-linearizable.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	res, err := lincheck.CheckWith(tr, lincheck.Options{Visualize: true})
	if err != nil {
		t.Fatal(err)
	}
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
