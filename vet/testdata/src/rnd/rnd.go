package rnd

import (
	crand "crypto/rand"
	"math/big"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/orrerysim/orrery/env"
)

func Draw(e env.Env, xs []int) int {
	a := rand.Intn(10)                                                      // want `math/rand.Intn draws from the global source, which no seed replays: use e.Rand\(\).IntN\(n\)`
	b := rand.Int63n(10)                                                    // want `math/rand.Int63n draws from the global source.*use e.Rand\(\).Int64N\(n\)`
	f := randv2.Float64()                                                   // want `math/rand/v2.Float64 draws from the global source.*use e.Rand\(\).Float64\(\)`
	c := randv2.IntN(10)                                                    // want `math/rand/v2.IntN draws from the global source.*use e.Rand\(\).IntN\(n\)`
	u := randv2.Uint32()                                                    // want `math/rand/v2.Uint32 draws from the global source, which no seed replays: use e.Rand\(\)$`
	n := randv2.N(10)                                                       // want `math/rand/v2.N draws from the global source`
	randv2.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] }) // want `math/rand/v2.Shuffle draws.*use e.Rand\(\).Shuffle\(n, swap\)`
	var buf [8]byte
	crand.Read(buf[:]) // crypto/rand.Reader follows the seed in a simulation
	_ = crand.Reader
	_, _ = crand.Int(crand.Reader, big.NewInt(10))
	_ = crand.Text()
	_, _ = crand.Prime(crand.Reader, 64) // want `crypto/rand.Prime reads the operating system's entropy, which no seed replays \(since Go 1.26 it ignores the reader it is given, which the simulation captures\): use a value fixed in the simulation`
	return a + int(b) + int(f) + c + int(u) + n
}

// Seeded sources are fine: their draws follow the seed.
func Seeded(seed uint64) int {
	r := randv2.New(randv2.NewPCG(seed, 0))
	old := rand.New(rand.NewSource(int64(seed)))
	z := rand.NewZipf(old, 1.5, 2, 10)
	c := randv2.New(randv2.NewChaCha8([32]byte{}))
	return r.IntN(10) + old.Intn(10) + int(z.Uint64()) + c.IntN(3)
}
