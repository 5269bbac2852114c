package maze_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/orrerytest"
)

// FuzzMaze is the maze under Go's fuzzer: go test -fuzz=FuzzMaze with
// ORRERY_BUG=vault finds the vault (see docs/exploration.md).
func FuzzMaze(f *testing.F) { orrerytest.Fuzz(f, maze.Simulation()) }
