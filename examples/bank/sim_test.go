package bank_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/orrerytest"
)

// TestBank is how a user runs a simulation: go test ./examples/bank, with
// ORRERY_SEEDS=N (or -orrery.seeds=N) for more seeds and ORRERY_SEED=0x... to
// replay one.
func TestBank(t *testing.T) {
	orrerytest.Test(t, bank.Simulation(bank.Options{}))
}
