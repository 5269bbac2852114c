package vet_test

import (
	"testing"

	"github.com/orrerysim/orrery/vet"
)

// TestExamplesClean runs the analyzer over Orrery's own examples, as
// `orrery vet ./examples/...` does: they are what users copy, so they must
// not escape the simulation.
func TestExamplesClean(t *testing.T) {
	found, err := vet.Run("..", "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}
