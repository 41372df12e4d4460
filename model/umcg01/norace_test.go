//go:build !race

package umcg01_test

const raceEnabled = false
