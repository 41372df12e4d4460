package umcg01

import "testing"

// TestIsLegal: the bit table legal-edge reads says what the legal table
// says, for every kind and every pair of words up to 0x3ff (every base
// state and flag the model uses, and words outside the table's form).
func TestIsLegal(t *testing.T) {
	n := 0
	for k := KindNone; k <= KindServer; k++ {
		for from := TaskState(0); from < 0x400; from++ {
			for to := TaskState(0); to < 0x400; to++ {
				want := legal[k][edge{from, to}]
				if got := isLegal(documentedEdge{k, from, to}); got != want {
					t.Fatalf("%s %#x -> %#x: isLegal %v, legal %v", k, from, to, got, want)
				}
				if want {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no legal edge")
	}
}
