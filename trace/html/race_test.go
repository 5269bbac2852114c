//go:build race

package html

// raceEnabled: the race detector slows Write several times over, so
// timing bounds do not hold.
const raceEnabled = true
