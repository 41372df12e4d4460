package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"strconv"

	"github.com/anishathalye/porcupine"
	"github.com/umcgcheck/umcgcheck/lincheck"
)

// checkPageScript is added to porcupine's page, after porcupine has drawn
// it: porcupine labels each row with its client id, and opens at the
// start of the trace. The script names each row by its task (rows is
// lincheck.Result.Rows) and opens the page where porcupine's "jump to
// first error" link goes: the first failing operation, selected, with its
// partial linearization drawn. It records where it opened in #canvas's
// data-opened-at ("scrollX,scrollY"), which a test reads from the DOM.
const checkPageScript = `<script>
(function (rows) {
  "use strict";
  const svg = document.querySelector("#canvas svg");
  if (!svg) return;
  const labels = Array.from(svg.querySelector("g").children).filter((e) => e.tagName === "text");
  labels.forEach((t, i) => { if (i < rows.length) t.textContent = rows[i]; });
  // A name is wider than a number: move the drawing right so that no
  // name is cut at the left edge.
  let left = Infinity;
  for (const t of labels) left = Math.min(left, t.getBBox().x);
  const shift = Math.ceil(Math.max(0, 10 - left));
  if (shift > 0) {
    const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
    g.setAttribute("transform", "translate(" + shift + ",0)");
    while (svg.firstChild) g.appendChild(svg.firstChild);
    svg.appendChild(g);
    svg.setAttribute("width", Number(svg.getAttribute("width")) + shift);
  }
  const jump = document.getElementById("jump-link");
  if (jump && !jump.classList.contains("inactive")) {
    // The link scrolls smoothly; opening, the page goes there at once.
    const scroll = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (o) { scroll.call(this, Object.assign({}, o, {behavior: "instant"})); };
    try { jump.dispatchEvent(new MouseEvent("click")); } finally { Element.prototype.scrollIntoView = scroll; }
  }
  document.getElementById("canvas").dataset.openedAt = Math.round(window.scrollX) + "," + Math.round(window.scrollY);
})(%ROWS%);
</script>
`

// writeCheckPage writes porcupine's visualization of a check with each
// row named by its task, opening at the first failing operation.
func writeCheckPage(res lincheck.Result) ([]byte, error) {
	// Porcupine's tooltip puts a state's description into innerHTML, and
	// ours names the trace's tasks and groups, which may be any UTF-8
	// string: escaped, a name in a trace from elsewhere cannot add markup
	// or script to the page. (Operation descriptions go to textContent.)
	m := res.Model
	if describe := m.DescribeState; describe != nil {
		m.DescribeState = func(s any) string { return html.EscapeString(describe(s)) }
	}
	var buf bytes.Buffer
	if err := porcupine.Visualize(m, res.Info, &buf); err != nil {
		return nil, err
	}
	rows, err := json.Marshal(res.Rows) // escapes <, > and &: safe inside <script>
	if err != nil {
		return nil, err
	}
	// Porcupine prints each operation's times as they are; an operation
	// of unknown outcome returns at lincheck.NoReturn, which is no time
	// (the JSON string cannot occur inside a description, whose quotes
	// are escaped).
	page := bytes.ReplaceAll(buf.Bytes(), []byte(`"OriginalEnd":"`+strconv.FormatInt(lincheck.NoReturn, 10)+`"`), []byte(`"OriginalEnd":"unknown"`))
	end := bytes.LastIndex(page, []byte("</body>"))
	if end < 0 {
		return nil, errors.New("porcupine's page has no </body>: cannot name its rows")
	}
	script := bytes.Replace([]byte(checkPageScript), []byte("%ROWS%"), rows, 1)
	out := make([]byte, 0, len(page)+len(script))
	out = append(append(append(out, page[:end]...), script...), page[end:]...)
	return out, nil
}
