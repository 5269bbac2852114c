package maze_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/orrerytest"
)

// FuzzMaze is the maze under Go's fuzzer: go test -fuzz=FuzzMaze with
// ORRERY_BUG=vault finds the vault (see docs/exploration.md).
func FuzzMaze(f *testing.F) { orrerytest.Fuzz(f, maze.Simulation()) }

// FuzzMazeNet is the networked maze under Go's fuzzer: go test
// -fuzz=FuzzMazeNet with ORRERY_BUG=skip-check searches for the skipped
// check (see docs/exploration.md for how it fared).
func FuzzMazeNet(f *testing.F) { orrerytest.Fuzz(f, maze.Networked()) }

// FuzzMazeClimb is the climbing maze under Go's fuzzer, which has no
// watermark to climb by: each rung runs the same code.
func FuzzMazeClimb(f *testing.F) { orrerytest.Fuzz(f, maze.Climb()) }
