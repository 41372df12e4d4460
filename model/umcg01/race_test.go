//go:build race

package umcg01_test

// raceEnabled is set when the tests run under the race detector, which
// makes the largest searches too slow to repeat there.
const raceEnabled = true
