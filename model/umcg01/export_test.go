package umcg01

// HandLabel is a label for the observations the external tests build by
// hand (a step's label is a code only the package makes).
var HandLabel = lblClientSetFlag

// SearchFingerprintBigEndian is SearchFingerprint as a big-endian machine
// computes it (through threadImage), for the test that it gives the same.
func SearchFingerprintBigEndian(s *State, seed uint64) uint64 {
	return s.searchFingerprint(seed, false)
}
