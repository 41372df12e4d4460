//go:build race

package lincheck

// raceEnabled is set when the tests run under the race detector, which
// slows the searches tenfold: their time bounds are not checked there.
const raceEnabled = true
