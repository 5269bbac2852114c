package assert_test

import (
	"context"
	"slices"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// TestOnFirstHit: the hook hears each first hit of a run once, with the
// main stream's count at the hit, and no Always.
func TestOnFirstHit(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	type hit struct {
		msg, bucket string
		calls       uint64
	}
	var got []hit
	assert.OnFirstHit(w, func(msg, bucket string) { got = append(got, hit{msg, bucket, w.RNGCalls()}) })
	w.Spawn("t", func(ctx context.Context) {
		for i := range 3 {
			w.Rand().Uint64()
			assert.Always(ctx, true, "always")
			assert.Sometimes(ctx, i > 0, "sometimes")
			assert.SometimesEach(ctx, "each", i%2)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	want := []hit{{"each", "0", 1}, {"sometimes", "", 2}, {"each", "1", 2}}
	if !slices.Equal(got, want) {
		t.Errorf("hits %v, want %v", got, want)
	}
}
