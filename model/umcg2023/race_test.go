//go:build race

package umcg2023_test

const raceEnabled = true
