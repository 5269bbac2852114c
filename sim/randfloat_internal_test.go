package sim

import (
	"math/rand/v2"
	"testing"
)

// TestFloat64AsMathRand: Float64 draws what math/rand/v2's Rand.Float64
// draws from the same source, with entropy or without, so that a seed's
// decisions stay those it always made.
func TestFloat64AsMathRand(t *testing.T) {
	for _, seed := range []uint64{0, 1, 42, 1 << 63} {
		r := newRand(seed, saltMain)
		ref := rand.New(rand.NewPCG(seed^saltMain, saltMain))
		w := New(Config{Seed: seed})
		if err := w.SetEntropy([]byte{1, 2, 3, 250}); err != nil {
			t.Fatal(err)
		}
		e := &entropy{data: []byte{1, 2, 3, 250}}
		h := EntropySeed(e.data)
		e.rest.Seed(h^saltMain, saltMain)
		refEnt := rand.New(e)
		for i := range 100 {
			if got, want := r.Float64(), ref.Float64(); got != want {
				t.Fatalf("seed %d draw %d: %v, want %v", seed, i, got, want)
			}
			if got, want := w.rng.Float64(), refEnt.Float64(); got != want {
				t.Fatalf("seed %d with entropy, draw %d: %v, want %v", seed, i, got, want)
			}
		}
	}
}
