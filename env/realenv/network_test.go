package realenv_test

import (
	"testing"

	"github.com/orrerysim/orrery/env/envtest"
)

// The operating system's network is the reference the simulated one
// follows: its deadlines pass the same suite.
func TestNetworkConformance(t *testing.T) {
	envtest.Run(t, harness, envtest.Network)
}
