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
	src   rand.PCG
	r     *rand.Rand
	calls uint64
	// branchAt is the call count at which the stream next branches
	// (see Timeline), math.MaxUint64 when it does not.
	branchAt uint64
	tl       *timelineState
	ent      *entropy // the bytes the stream draws from first (SetEntropy), or nil
}

func newRand(seed, salt uint64) *Rand {
	r := &Rand{branchAt: math.MaxUint64}
	r.src.Seed(seed^salt, salt)
	r.r = rand.New(&r.src)
	return r
}

// NewRand returns a stream for seed and salt that is independent of any
// World, for code that needs its own reproducible randomness (a swarm
// configuration, a test's data).
func NewRand(seed, salt uint64) *Rand { return newRand(seed, salt) }

// Calls returns how many calls this stream has served.
func (r *Rand) Calls() uint64 { return r.calls }

// Uint64 returns a uniformly distributed 64-bit value.
func (r *Rand) Uint64() uint64 {
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
	if n <= 0 {
		panic(fmt.Sprintf("sim: Rand.IntN(%d): n must be positive", n))
	}
	r.tick()
	return r.r.IntN(n)
}

// Int64N returns a value in [0, n). It panics if n <= 0.
func (r *Rand) Int64N(n int64) int64 {
	if n <= 0 {
		panic(fmt.Sprintf("sim: Rand.Int64N(%d): n must be positive", n))
	}
	r.tick()
	return int64(r.uint64n(uint64(n)))
}

// uint64n is math/rand/v2's Rand.uint64n (Lemire's multiply-and-reject,
// the same draws and results) on the PCG itself: no interface call on the
// hottest draw, a latency.
func (r *Rand) uint64n(n uint64) uint64 {
	if n&(n-1) == 0 { // a power of two
		return r.u64() & (n - 1)
	}
	hi, lo := bits.Mul64(r.u64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.u64(), n)
		}
	}
	return hi
}

// Float64 returns a value in [0.0, 1.0).
func (r *Rand) Float64() float64 {
	r.tick()
	// math/rand/v2's value, without its interface call; the 53 bits fit an
	// int64, whose conversion is one instruction.
	return float64(int64(r.u64()<<11>>11)) / (1 << 53)
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
	r.tick()
	if lo == hi {
		return lo
	}
	return lo + time.Duration(r.uint64n(uint64(hi-lo)+1))
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
