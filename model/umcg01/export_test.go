package umcg01

// SearchFingerprintBigEndian is SearchFingerprint as a big-endian machine
// computes it (through threadImage), for the test that it gives the same.
func SearchFingerprintBigEndian(s *State, seed uint64) uint64 {
	return s.searchFingerprint(seed, false)
}
