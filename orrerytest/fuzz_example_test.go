package orrerytest_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/orrerytest"
)

// A fuzz test of a simulation: go test -fuzz=FuzzMaze mutates the run's
// decisions, and ORRERY_BUG=vault go test -fuzz=FuzzMaze finds the vault.
func ExampleFuzz() {
	_ = func(f *testing.F) { orrerytest.Fuzz(f, maze.Simulation()) }
}
