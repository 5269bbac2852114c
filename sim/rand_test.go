package sim_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestRandMatchesMathRand: the bounded draws are math/rand/v2's, value for
// value, so that traces do not depend on how Rand computes them.
func TestRandMatchesMathRand(t *testing.T) {
	const seed, salt = 0x1234, 0x5678
	bounds := []int64{1, 2, 3, 7, 8, 1000, 1 << 20, 1<<20 + 1, 600_001, math.MaxInt64, math.MaxInt64 / 3, 1 << 62, 6148914691236517206 /* rejects a third of its draws */}
	ours := sim.NewRand(seed, salt)
	ref := rand.New(rand.NewPCG(seed^salt, salt))
	for i := range 10_000 {
		n := bounds[i%len(bounds)]
		if got, want := ours.Int64N(n), ref.Int64N(n); got != want {
			t.Fatalf("draw %d: Int64N(%d) = %d, math/rand/v2 gives %d", i, n, got, want)
		}
		lo, hi := 100*time.Microsecond, 600*time.Microsecond
		if got, want := ours.Duration(lo, hi), lo+time.Duration(ref.Int64N(int64(hi-lo)+1)); got != want {
			t.Fatalf("draw %d: Duration = %v, math/rand/v2 gives %v", i, got, want)
		}
	}
}
