package orrerytest_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/orrerytest"
)

// Test is the whole of a simulation's go test: 100 seeds by default, each
// failing seed a test failure with the command that replays it. Settings
// come from -orrery.* flags or ORRERY_* variables
// (ORRERY_SEEDS=1000 go test ./...).
func ExampleTest() {
	// In bank_test.go:
	_ = func(t *testing.T) {
		orrerytest.Test(t, bank.Simulation(bank.Options{}))
	}
}
