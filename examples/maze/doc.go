// Package maze is a simulation built to defeat random seeds: four locks,
// each behind five nested gates that a random draw opens with probability
// 0.05, and a planted bug behind all four locks. A lock opens only when
// one attempt passes its five gates in a row (0.05^5, three in ten
// million); the locks open in order and stay open, and the bug needs the
// four opened in one run: no number of random seeds finds it.
//
// Each gate reached is a bucket of the lock's SometimesEach, which is what
// orrery.Explore climbs: every newly reached gate is a branch point from
// which children try the next gate with fresh randomness. Each gate is its
// own line of code, which is what Go's coverage-guided fuzzer climbs
// (orrerytest.Fuzz). The explorer and the fuzzer find the bug in seconds;
// see docs/exploration.md for the figures.
//
// Networked is a second maze, on the simulated network: a vault served
// over HTTP whose planted bug needs two rare steps in one run, the vault
// degrading and then skipping its check, one seed in some 25,000.
//
// Climb is a third, "maze-climb": a climber that must go eight rungs up
// in a row at 0.05 a rung, whose only assertion is a numeric Sometimes
// on its height, so that the explorer climbs it by the assertion's
// watermark, each height higher than any before a branch point.
package maze
