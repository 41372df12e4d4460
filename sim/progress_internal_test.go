package sim

import (
	"math"
	"testing"
)

// TestEstimateRemaining: a frontier that halves level after level leaves
// about as many states again as it holds; a growing or barely shrinking
// one gives no estimate; an empty one leaves nothing.
func TestEstimateRemaining(t *testing.T) {
	for _, c := range []struct {
		levels []int
		want   float64
		ok     bool
	}{
		{[]int{1, 10, 100, 50, 25, 12}, 12 * 0.4932 / (1 - 0.4932), true},
		{[]int{1, 2, 4, 8}, 0, false},
		{[]int{1, 100, 99, 98}, 0, false},
		{[]int{1, 100, 50, 60}, 0, false}, // widening again
		{[]int{1, 4, 2, 0}, 0, true},
		{[]int{1, 4}, 0, false},
	} {
		got, ok := estimateRemaining(c.levels)
		if ok != c.ok || math.Abs(got-c.want) > 0.05 {
			t.Errorf("%v: %.2f %v, want %.2f %v", c.levels, got, ok, c.want, c.ok)
		}
	}
}
