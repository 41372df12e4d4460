package umcg01

// HandLabel is a label for the observations the external tests build by
// hand (a step's label is a code only the package makes).
var HandLabel = lblClientSetFlag

// SearchFingerprintBigEndian is SearchFingerprint as a big-endian machine
// computes it (through threadImage), for the test that it gives the same.
func SearchFingerprintBigEndian(s *State, seed uint64) uint64 {
	return s.searchFingerprint(seed, false)
}

// RaceConfig is the configuration of the race against SPIN
// (bench/spin/run.sh's default): single, seed variant, 5 workers that
// block once each. Its complete unreduced search stores RaceStates states
// over RaceTransitions transitions.
func RaceConfig() Config {
	c, _ := NamedConfig("single")
	c.Workers = 5
	return c
}

// The counts of the race's complete unreduced search (see RaceConfig).
const (
	RaceStates      = 2869848
	RaceTransitions = 9634080
)
