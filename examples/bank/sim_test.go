package bank_test

import (
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
)

// TestBank is how a user runs a simulation: go test ./examples/bank, with
// -orrery.seeds=N for more seeds and -orrery.seed=0x... to replay one.
func TestBank(t *testing.T) {
	orrery.Test(t, bank.Simulation(bank.Options{}))
}
