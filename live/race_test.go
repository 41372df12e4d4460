//go:build race

package live

// raceEnabled: the race detector's runtime takes locks of its own that
// can put a thread to sleep, so the gap count is not asserted under it.
const raceEnabled = true
