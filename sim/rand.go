package sim

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"time"
)

// Salts of the derived streams. A derived stream is seeded with the run's
// seed xor its salt, so that drawing from it never shifts the main stream:
// adding a task or changing a configuration does not change every later
// random decision of the application.
const (
	saltMain  = 0x6f72726572792d6d // "orrery-m"
	saltSched = 0x5343484544554c45 // "SCHEDULE"
	saltConf  = 0x434f4e4649475552 // "CONFIGUR"
)

// Rand is a deterministic random stream. The main stream of a World counts
// its calls: every method call is one decision and adds one to Calls, which
// every trace line carries as rng=N. Its methods panic on arguments that
// cannot give a value (IntN(0)), naming the mistake.
type Rand struct {
	src   pcg
	calls uint64
	// gate is the call count from which a draw takes the slow path
	// (drawSlow): branchAt, or 0 while the stream draws from entropy. One
	// compare on every draw stands for both tests.
	gate uint64
	// branchAt is the call count at which the stream next branches
	// (see Timeline), math.MaxUint64 when it does not.
	branchAt uint64
	r        *rand.Rand
	tl       *timelineState
	ent      *entropy // the bytes the stream draws from first (SetEntropy), or nil
}

func newRand(seed, salt uint64) *Rand {
	r := &Rand{gate: math.MaxUint64, branchAt: math.MaxUint64}
	r.src.Seed(seed^salt, salt)
	r.r = rand.New(&r.src)
	return r
}

// setGate makes gate agree with branchAt and ent, after either changed.
func (r *Rand) setGate() {
	r.gate = r.branchAt
	if r.ent != nil {
		r.gate = 0
	}
}

// pcg is math/rand/v2's PCG, the same state and outputs, with a step the
// compiler inlines into the draws (rand.PCG's Uint64 does not inline).
type pcg struct{ hi, lo uint64 }

// Seed is rand.PCG's Seed.
func (p *pcg) Seed(seed1, seed2 uint64) { p.hi, p.lo = seed1, seed2 }

// Uint64 is rand.PCG's Uint64: the 128-bit LCG step, then DXSM.
func (p *pcg) Uint64() uint64 {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	lo0 := p.lo
	hi, lo := bits.Mul64(lo0, mulLo)
	hi += p.hi*mulLo + lo0*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi += incHi + c
	p.lo, p.hi = lo, hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// NewRand returns a stream for seed and salt that is independent of any
// World, for code that needs its own reproducible randomness (a swarm
// configuration, a test's data).
func NewRand(seed, salt uint64) *Rand { return newRand(seed, salt) }

// Calls returns how many calls this stream has served.
func (r *Rand) Calls() uint64 { return r.calls }

// Uint64 returns a uniformly distributed 64-bit value.
func (r *Rand) Uint64() uint64 {
	return r.draw()
}

// draw counts one call and returns its first 64 bits: on the fast path,
// the next value of the PCG, inlined.
func (r *Rand) draw() uint64 {
	if r.calls >= r.gate {
		return r.drawSlow()
	}
	r.calls++
	return r.src.Uint64()
}

// drawSlow is draw at a branch point or with entropy.
func (r *Rand) drawSlow() uint64 {
	r.tick()
	return r.u64()
}

// u64 is the next 64 bits of the stream's source.
func (r *Rand) u64() uint64 {
	if r.ent != nil {
		return r.ent.Uint64()
	}
	return r.src.Uint64()
}

// IntN returns a value in [0, n). It panics if n <= 0.
func (r *Rand) IntN(n int) int {
	return int(r.int64n(int64(n), "IntN")) // math/rand/v2's IntN on 64 bits
}

// Int64N returns a value in [0, n). It panics if n <= 0.
func (r *Rand) Int64N(n int64) int64 { return r.int64n(n, "Int64N") }

// int64n is IntN and Int64N, which inline to one call of it: one draw,
// inlined, reduced to [0, n) as math/rand/v2's Rand.uint64n does
// (Lemire's multiply-and-reject, the same draws and results).
func (r *Rand) int64n(n int64, method string) int64 {
	if n <= 0 {
		panic(fmt.Sprintf("sim: Rand.%s(%d): n must be positive", method, n))
	}
	var x uint64
	if r.calls < r.gate { // draw, inlined
		r.calls++
		x = r.src.Uint64()
	} else {
		x = r.drawSlow()
	}
	hi, lo := bits.Mul64(x, uint64(n))
	if lo < uint64(n) || n&(n-1) == 0 {
		return int64(r.uint64nRare(x, uint64(n)))
	}
	return int64(hi)
}

// uint64nRare is the end of math/rand/v2's Rand.uint64n, for n a power
// of two, or when x*n may fall in the biased part of the range, where it
// draws again.
//
//go:noinline
func (r *Rand) uint64nRare(x, n uint64) uint64 {
	if n&(n-1) == 0 {
		return x & (n - 1)
	}
	hi, lo := bits.Mul64(x, n)
	thresh := -n % n
	for lo < thresh {
		hi, lo = bits.Mul64(r.u64(), n)
	}
	return hi
}

// Float64 returns a value in [0.0, 1.0).
func (r *Rand) Float64() float64 {
	// math/rand/v2's value, without its interface call; the 53 bits fit an
	// int64, whose conversion is one instruction.
	var x uint64
	if r.calls < r.gate { // draw, inlined
		r.calls++
		x = r.src.Uint64()
	} else {
		x = r.drawSlow()
	}
	return float64(int64(x<<11>>11)) / (1 << 53)
}

// Bool returns true with probability p. p <= 0 is always false and p >= 1
// always true; both still count as a call, so that changing a probability
// does not shift later draws.
func (r *Rand) Bool(p float64) bool {
	return r.Float64() < p
}

// Duration returns a duration uniformly distributed in [lo, hi]. It panics
// if lo < 0 or hi < lo.
func (r *Rand) Duration(lo, hi time.Duration) time.Duration {
	if lo < 0 || hi < lo {
		panic(fmt.Sprintf("sim: Rand.Duration(%v, %v): want 0 <= lo <= hi", lo, hi))
	}
	if lo == hi {
		r.tick()
		return lo
	}
	var x uint64
	if r.calls < r.gate { // draw, inlined
		r.calls++
		x = r.src.Uint64()
	} else {
		x = r.drawSlow()
	}
	n := uint64(hi-lo) + 1 // as int64n
	h, l := bits.Mul64(x, n)
	if l < n || n&(n-1) == 0 {
		h = r.uint64nRare(x, n)
	}
	return lo + time.Duration(h)
}

// Shuffle pseudo-randomizes the order of n elements, calling swap(i, j) for
// each exchange. It is one call however long the slice.
func (r *Rand) Shuffle(n int, swap func(i, j int)) {
	if n < 0 {
		panic(fmt.Sprintf("sim: Rand.Shuffle(%d): n must not be negative", n))
	}
	r.tick()
	r.r.Shuffle(n, swap)
}

// tick counts one call, branching first when the timeline says so.
func (r *Rand) tick() {
	for r.calls == r.branchAt {
		r.branch()
	}
	r.calls++
}
