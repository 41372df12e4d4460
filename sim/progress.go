package sim

import "math"

// estimateRemaining estimates how many states a breadth-first search has
// still to store, from the sizes of its levels (levels[d]: the states
// first reached at depth d; the last is the frontier). Like GenMC's
// estimate, it extrapolates the growth seen so far: the search spaces of
// closed protocols widen and then narrow, and once the frontier narrows,
// the levels to come are taken to shrink geometrically by the ratio of the
// last levels (the geometric mean of up to three ratios), which sums to
// frontier*r/(1-r). It makes no estimate (ok false) while the frontier
// still grows, or shrinks too slowly for the sum to mean anything (r above
// 0.95): a geometric tail is a guess about states not yet seen, not a
// bound.
func estimateRemaining(levels []int) (remaining float64, ok bool) {
	n := len(levels)
	if n < 3 {
		return 0, false
	}
	k := min(3, n-1)
	logSum := 0.0
	for i := n - k; i < n; i++ {
		if levels[i-1] == 0 || levels[i] == 0 {
			return 0, levels[n-1] == 0
		}
		logSum += math.Log(float64(levels[i]) / float64(levels[i-1]))
	}
	r := math.Exp(logSum / float64(k))
	if r > 0.95 || float64(levels[n-1]) >= float64(levels[n-2]) {
		return 0, false
	}
	return float64(levels[n-1]) * r / (1 - r), true
}
