// Package model holds nothing but its subpackages, one per protocol, each
// a pure state machine that the engine (package sim) searches:
//
//   - umcg01: UMCG RFC v0.1 (May 2021), its kernel and libumcg, seed and
//     fixed, with named fixes;
//   - umcg2023: Google's 2023 UMCG design as posted (docs/umcg-2023.md);
//   - toy/mutex and toy/twophase: toy protocols with answers known by hand,
//     on which the engine is tested.
//
// docs/architecture.md says how to add a protocol.
package model
