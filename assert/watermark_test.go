package assert_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// mark is one call of OnWatermark's function.
type mark struct {
	msg   string
	score float64
}

// watched runs body as the only task of a World whose watermarks are
// scored, and returns the calls of the function.
func watched(t *testing.T, body func(ctx context.Context)) []mark {
	t.Helper()
	w := sim.New(sim.Config{Seed: 1})
	var got []mark
	assert.OnWatermark(w, func(msg string, score float64) { got = append(got, mark{msg, score}) })
	w.Spawn("t", body)
	_ = w.Run() // an Always that fails fails the run: the marks before it count
	return got
}

// TestOnWatermark: each numeric assertion tells of every evaluation that
// comes closer than any before it to flipping, a Sometimes to holding and
// an Always to failing, and of none that flips it.
func TestOnWatermark(t *testing.T) {
	values := []int{3, 1, 4, 1, 5, 9, 2, 6} // compared against 5
	tests := []struct {
		name string
		eval func(ctx context.Context, v int)
		want []float64
	}{
		{"SometimesGreaterThan", func(ctx context.Context, v int) { assert.SometimesGreaterThan(ctx, v, 5, "m") }, []float64{-2, -1, 0}},
		{"SometimesGreaterThanOrEqualTo", func(ctx context.Context, v int) { assert.SometimesGreaterThanOrEqualTo(ctx, v, 5, "m") }, []float64{-2, -1}},
		{"SometimesLessThan", func(ctx context.Context, v int) { assert.SometimesLessThan(ctx, v, 5, "m") }, []float64{0}},
		{"SometimesLessThanOrEqualTo", func(ctx context.Context, v int) { assert.SometimesLessThanOrEqualTo(ctx, v, 5, "m") }, []float64{-4, -1}},
		{"AlwaysLessThan", func(ctx context.Context, v int) { assert.AlwaysLessThan(ctx, v, 10, "m") }, []float64{-7, -6, -5, -1}},
		{"AlwaysLessThanOrEqualTo", func(ctx context.Context, v int) { assert.AlwaysLessThanOrEqualTo(ctx, v, 10, "m") }, []float64{-7, -6, -5, -1}},
		{"AlwaysGreaterThan", func(ctx context.Context, v int) { assert.AlwaysGreaterThan(ctx, v, 0, "m") }, []float64{-3, -1}},
		{"AlwaysGreaterThanOrEqualTo", func(ctx context.Context, v int) { assert.AlwaysGreaterThanOrEqualTo(ctx, v, 1, "m") }, []float64{-2, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := watched(t, func(ctx context.Context) {
				for _, v := range values {
					tc.eval(ctx, v)
				}
			})
			var scores []float64
			for _, m := range got {
				scores = append(scores, m.score)
			}
			if !slices.Equal(scores, tc.want) {
				t.Errorf("scores %v, want %v", scores, tc.want)
			}
		})
	}
}

// TestOnWatermarkStopsAtTheFailure: an Always that fails is not scored,
// and the marks before it are.
func TestOnWatermarkStopsAtTheFailure(t *testing.T) {
	got := watched(t, func(ctx context.Context) {
		for _, v := range []int{7, 8, 12, 11} {
			assert.AlwaysLessThan(ctx, v, 10, "bounded")
		}
	})
	if want := []mark{{"bounded", -3}, {"bounded", -2}}; !slices.Equal(got, want) {
		t.Errorf("marks %v, want %v", got, want)
	}
}

// TestOnWatermarkTypes: every ordered type but string is scored, named
// types included, and a NaN is not.
func TestOnWatermarkTypes(t *testing.T) {
	got := watched(t, func(ctx context.Context) {
		assert.SometimesGreaterThan(ctx, 2*time.Second, 3*time.Second, "duration")
		assert.SometimesGreaterThan(ctx, uint8(1), uint8(3), "uint8")
		assert.SometimesGreaterThan(ctx, uint64(1), uint64(3), "uint64")
		assert.SometimesGreaterThan(ctx, float32(0.5), float32(1), "float32")
		assert.SometimesGreaterThan(ctx, math.NaN(), 1, "nan")
		assert.SometimesGreaterThan(ctx, "a", "b", "string")
		assert.Sometimes(ctx, false, "boolean")
	})
	want := []mark{{"duration", -1e9}, {"uint8", -2}, {"uint64", -2}, {"float32", -0.5}}
	if !slices.Equal(got, want) {
		t.Errorf("marks %v, want %v", got, want)
	}
}

// TestOnWatermarkSetLate: a function set during the run scores the
// assertions met before it from then on; nil stops the scoring.
func TestOnWatermarkSetLate(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	var got []mark
	w.Spawn("t", func(ctx context.Context) {
		assert.SometimesGreaterThan(ctx, 1, 9, "m")
		assert.OnWatermark(w, func(msg string, score float64) { got = append(got, mark{msg, score}) })
		assert.SometimesGreaterThan(ctx, 2, 9, "m")
		assert.OnWatermark(w, nil)
		assert.SometimesGreaterThan(ctx, 3, 9, "m")
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if want := []mark{{"m", -7}}; !slices.Equal(got, want) {
		t.Errorf("marks %v, want %v", got, want)
	}
}

// TestOnWatermarkKeepsTheTrace: scoring writes nothing into the trace and
// draws nothing: a seed's trace hash is the same with it as without.
func TestOnWatermarkKeepsTheTrace(t *testing.T) {
	hash := func(watch bool) uint64 {
		w := sim.New(sim.Config{Seed: 7})
		if watch {
			assert.OnWatermark(w, func(string, float64) {})
		}
		w.Spawn("t", func(ctx context.Context) {
			for range 50 {
				v := w.Rand().IntN(100)
				assert.SometimesGreaterThan(ctx, v, 98, "high")
				assert.AlwaysLessThan(ctx, v, 100, "bounded")
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if a, b := hash(false), hash(true); a != b {
		t.Errorf("trace hash %#x without watermarks, %#x with", a, b)
	}
}
