package sim

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestPCGAsMathRand: the stream's own PCG step gives math/rand/v2's PCG
// values, bit for bit, over many seeds.
func TestPCGAsMathRand(t *testing.T) {
	seeds := rand.New(rand.NewPCG(7, 11))
	for s := range 2000 {
		s1, s2 := seeds.Uint64(), seeds.Uint64()
		if s < 4 {
			s1, s2 = uint64(s)*math.MaxUint64/3, ^uint64(s)
		}
		var ours pcg
		ours.Seed(s1, s2)
		ref := rand.NewPCG(s1, s2)
		for i := range 200 {
			if got, want := ours.Uint64(), ref.Uint64(); got != want {
				t.Fatalf("seed %#x,%#x value %d: %#x, math/rand/v2's PCG gives %#x", s1, s2, i, got, want)
			}
		}
	}
}

// refStream is the main stream as the simulation has always drawn it:
// math/rand/v2 over the PCG (or the entropy), counted, reseeded at each
// branch point of its timeline.
type refStream struct {
	r     *rand.Rand
	calls uint64
	tl    Timeline
	next  int
}

func (s *refStream) tick() {
	for s.next < len(s.tl) && s.calls == s.tl[s.next].At {
		s.r = rand.New(rand.NewPCG(s.tl[s.next].Seed^saltMain, saltMain))
		s.calls = 0
		s.next++
	}
	s.calls++
}

// drawCase is one kind of draw, made on ours and on the reference.
type drawCase struct {
	name string
	ours func(r *Rand, k uint64) uint64
	ref  func(r *rand.Rand, k uint64) uint64
}

// drawBounds are bounds of every kind: one, powers of two, small, and
// large ones whose draws are often rejected and drawn again.
var drawBounds = []uint64{1, 2, 3, 7, 8, 1000, 1 << 20, 600_001, math.MaxInt64, math.MaxInt64 / 3, 6148914691236517206}

var drawCases = []drawCase{
	{"Float64", func(r *Rand, k uint64) uint64 { return math.Float64bits(r.Float64()) },
		func(r *rand.Rand, k uint64) uint64 { return math.Float64bits(r.Float64()) }},
	{"Bool", func(r *Rand, k uint64) uint64 { return b2u(r.Bool(float64(k%5) / 4)) },
		func(r *rand.Rand, k uint64) uint64 { return b2u(r.Float64() < float64(k%5)/4) }},
	{"Uint64", func(r *Rand, k uint64) uint64 { return r.Uint64() },
		func(r *rand.Rand, k uint64) uint64 { return r.Uint64() }},
	{"IntN", func(r *Rand, k uint64) uint64 { return uint64(r.IntN(int(drawBounds[k%11]))) },
		func(r *rand.Rand, k uint64) uint64 { return uint64(r.IntN(int(drawBounds[k%11]))) }},
	{"Int64N", func(r *Rand, k uint64) uint64 { return uint64(r.Int64N(int64(drawBounds[k%11]))) },
		func(r *rand.Rand, k uint64) uint64 { return uint64(r.Int64N(int64(drawBounds[k%11]))) }},
	{"Duration", func(r *Rand, k uint64) uint64 {
		lo := durLo(k)
		return uint64(r.Duration(lo, lo+time.Duration(drawBounds[k%11]-1)))
	}, func(r *rand.Rand, k uint64) uint64 {
		lo := durLo(k)
		if drawBounds[k%11] == 1 {
			return uint64(lo) // counted, nothing drawn
		}
		return uint64(lo) + r.Uint64N(drawBounds[k%11])
	}},
	{"Shuffle", func(r *Rand, k uint64) uint64 {
		s := []int{0, 1, 2, 3, 4, 5, 6, 7}
		r.Shuffle(int(k%9), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return uint64(s[0] | s[3]<<3 | s[7]<<6)
	}, func(r *rand.Rand, k uint64) uint64 {
		s := []int{0, 1, 2, 3, 4, 5, 6, 7}
		r.Shuffle(int(k%9), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return uint64(s[0] | s[3]<<3 | s[7]<<6)
	}},
}

// durLo is the low end of a Duration draw: 0, 1 or 2, where that does not
// overflow the high end.
func durLo(k uint64) time.Duration {
	if drawBounds[k%11] > 1<<40 {
		return 0
	}
	return time.Duration(k % 3)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestDrawsAsBefore: every method gives the values and the call counts the
// main stream always gave, draw after draw in a random mix, over many
// seeds, plain, with a timeline and with entropy.
func TestDrawsAsBefore(t *testing.T) {
	modes := []struct {
		name string
		tl   Timeline
		ent  []byte
	}{
		{"plain", nil, nil},
		{"timeline", Timeline{{At: 0, Seed: 5}, {At: 17, Seed: 9}, {At: 3, Seed: 1}, {At: 40, Seed: 77}}, nil},
		{"entropy", nil, []byte{1, 2, 3, 250, 0, 255, 13, 12}},
		{"entropy+timeline", Timeline{{At: 30, Seed: 3}}, []byte{9, 8, 7, 6, 5, 4, 3, 2, 1}},
	}
	for _, m := range modes {
		for seed := range uint64(200) {
			testDraws(t, m.name, seed, m.tl, m.ent)
		}
	}
}

func testDraws(t *testing.T, mode string, seed uint64, tl Timeline, ent []byte) {
	t.Helper()
	w := New(Config{Seed: seed})
	ref := &refStream{r: rand.New(rand.NewPCG(seed^saltMain, saltMain)), tl: tl}
	if ent != nil {
		if err := w.SetEntropy(ent); err != nil {
			t.Fatal(err)
		}
		e := &entropy{data: ent}
		e.rest.Seed(EntropySeed(ent)^saltMain, saltMain)
		ref.r = rand.New(e)
	}
	if tl != nil {
		if err := w.SetTimeline(tl); err != nil {
			t.Fatal(err)
		}
	}
	mix := rand.New(rand.NewPCG(seed, 99))
	for i := range 300 {
		c, k := drawCases[mix.IntN(len(drawCases))], mix.Uint64()
		got := c.ours(w.rng, k)
		ref.tick()
		want := c.ref(ref.r, k)
		if got != want || w.rng.calls != ref.calls || w.Branches() != ref.next {
			t.Fatalf("%s seed %d draw %d: %s = %#x at call %d (branch %d), before %#x at call %d (branch %d)",
				mode, seed, i, c.name, got, w.rng.calls, w.Branches(), want, ref.calls, ref.next)
		}
	}
}

// TestDrawPanics: a draw that cannot give a value panics as it always
// did, naming the method and its arguments, and counts no call.
func TestDrawPanics(t *testing.T) {
	for _, c := range []struct {
		draw func(r *Rand)
		want string
	}{
		{func(r *Rand) { r.IntN(0) }, "sim: Rand.IntN(0): n must be positive"},
		{func(r *Rand) { r.Int64N(-3) }, "sim: Rand.Int64N(-3): n must be positive"},
		{func(r *Rand) { r.Duration(-1, 0) }, "sim: Rand.Duration(-1ns, 0s): want 0 <= lo <= hi"},
		{func(r *Rand) { r.Duration(5, 4) }, "sim: Rand.Duration(5ns, 4ns): want 0 <= lo <= hi"},
		{func(r *Rand) { r.Shuffle(-1, nil) }, "sim: Rand.Shuffle(-1): n must not be negative"},
	} {
		r := NewRand(1, 2)
		func() {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("panic %v, want %q", got, c.want)
				}
			}()
			c.draw(r)
		}()
		if r.Calls() != 0 {
			t.Errorf("%s: %d calls counted, want 0", c.want, r.Calls())
		}
	}
}
