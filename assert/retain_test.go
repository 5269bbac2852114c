package assert_test

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// TestFinishedWorldCollected checks that the World that asserted last is
// not kept alive by the package once nothing else refers to it: a run's
// World holds all its tasks, events and traces.
func TestFinishedWorldCollected(t *testing.T) {
	wp := assertedWorld(t)
	for range 10 {
		runtime.GC()
		if wp.Value() == nil {
			return
		}
	}
	t.Fatal("the World that asserted last is still alive after its run and ten collections")
}

// assertedWorld runs a World whose task asserts, and returns a weak
// pointer to it.
func assertedWorld(t *testing.T) weak.Pointer[sim.World] {
	w := sim.New(sim.Config{Seed: 1})
	w.Spawn("asserter", func(ctx context.Context) { assert.Always(ctx, true, "kept?") })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return weak.Make(w)
}
