package assert_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/assert"
)

// nearest returns r with its nearest evaluation set to closest, gap.
func nearest(r assert.Result, closest string, gap float64) assert.Result {
	r.Closest, r.Gap = closest, gap
	return r
}

// resultOf runs body as a task and returns the result of the assertion
// msg.
func resultOf(t *testing.T, msg string, body func(ctx context.Context)) assert.Result {
	t.Helper()
	w, err := runTask(1, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range assert.Results(w) {
		if r.Message == msg {
			return r
		}
	}
	t.Fatalf("no result for %q", msg)
	return assert.Result{}
}

// TestClosest: a numeric Sometimes form that never held keeps its
// evaluation nearest to holding, in each direction, for every ordered type
// but strings; one that held keeps none, nor do the Always forms.
func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    func(ctx context.Context)
		closest string
		gap     float64
	}{
		{"greater than", func(ctx context.Context) {
			for _, v := range []int{3, 7, 5} {
				assert.SometimesGreaterThan(ctx, v, 10, "m")
			}
		}, "left=7 right=10", 3},
		{"greater than or equal, missed by one", func(ctx context.Context) {
			for _, v := range []int64{-4, 9, 2} {
				assert.SometimesGreaterThanOrEqualTo(ctx, v, 10, "m")
			}
		}, "left=9 right=10", 1},
		{"strict, missed by being equal", func(ctx context.Context) {
			assert.SometimesGreaterThan(ctx, 1.5, 2.5, "m")
			assert.SometimesGreaterThan(ctx, 2.5, 2.5, "m")
		}, "left=2.5 right=2.5", 0},
		{"less than, durations", func(ctx context.Context) {
			for _, d := range []time.Duration{9 * time.Second, 4 * time.Second, 6 * time.Second} {
				assert.SometimesLessThan(ctx, d, time.Second, "m")
			}
		}, "left=4s right=1s", 3e9},
		{"less than or equal, the first of two as near", func(ctx context.Context) {
			assert.SometimesLessThanOrEqualTo(ctx, uint8(12), 10, "m")
			assert.SometimesLessThanOrEqualTo(ctx, uint8(12), 10, "m")
		}, "left=12 right=10", 2},
		{"held", func(ctx context.Context) {
			assert.SometimesGreaterThan(ctx, 3, 10, "m")
			assert.SometimesGreaterThan(ctx, 11, 10, "m")
			assert.SometimesGreaterThan(ctx, 9, 10, "m")
		}, "", 0},
		{"NaN", func(ctx context.Context) { assert.SometimesGreaterThan(ctx, math.NaN(), 1, "m") }, "", 0},
		{"strings", func(ctx context.Context) { assert.SometimesGreaterThan(ctx, "a", "b", "m") }, "", 0},
		{"always", func(ctx context.Context) { assert.AlwaysLessThan(ctx, 3, 10, "m") }, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := resultOf(t, "m", tc.body)
			if r.Closest != tc.closest || r.Gap != tc.gap {
				t.Errorf("closest %q, gap %v; want %q, %v", r.Closest, r.Gap, tc.closest, tc.gap)
			}
		})
	}
}

// TestMergeClosest: merging keeps the nearest evaluation of all seeds, of
// two as near the lower seed's, whatever the order; none once a seed held.
func TestMergeClosest(t *testing.T) {
	miss := func(seed uint64, closest string, gap float64) []assert.Result {
		return []assert.Result{{Message: "m", Kind: assert.KindSometimes, Evaluated: 1, Closest: closest, Gap: gap, ClosestSeed: seed}}
	}
	held := []assert.Result{{Message: "m", Kind: assert.KindSometimes, Evaluated: 1, Passed: 1}}
	for _, tc := range []struct {
		name string
		runs [][]assert.Result
		want assert.Result
	}{
		{"nearer", [][]assert.Result{miss(1, "left=3 right=10", 7), miss(2, "left=8 right=10", 2)},
			assert.Result{Closest: "left=8 right=10", Gap: 2, ClosestSeed: 2}},
		{"as near: the lower seed", [][]assert.Result{miss(9, "left=8 right=10", 2), miss(4, "left=8 right=10", 2)},
			assert.Result{Closest: "left=8 right=10", Gap: 2, ClosestSeed: 4}},
		{"one held", [][]assert.Result{miss(1, "left=3 right=10", 7), held}, assert.Result{}},
		{"held first", [][]assert.Result{held, miss(1, "left=3 right=10", 7)}, assert.Result{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, runs := range [][][]assert.Result{tc.runs, {tc.runs[1], tc.runs[0]}} {
				got := assert.Merge(runs...)[0]
				if got.Closest != tc.want.Closest || got.Gap != tc.want.Gap || got.ClosestSeed != tc.want.ClosestSeed {
					t.Errorf("merged %+v; want closest %q, gap %v, seed %d", got, tc.want.Closest, tc.want.Gap, tc.want.ClosestSeed)
				}
			}
		})
	}
}

// TestClosestJSON: the seed that came nearest is a hex string in JSON, as
// a failure's seed is, and reads back.
func TestClosestJSON(t *testing.T) {
	r := assert.Result{Message: "m", Kind: assert.KindSometimes, Evaluated: 3, Closest: "left=7 right=10", Gap: 3, ClosestSeed: 42}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"ClosestSeed":"0x2a"`) {
		t.Errorf("JSON %s: want \"ClosestSeed\":\"0x2a\"", b)
	}
	var back assert.Result
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	plain, _ := json.Marshal(assert.Result{Message: "m", Kind: assert.KindSometimes})
	if strings.Contains(string(plain), "Closest") {
		t.Errorf("a result without a nearest evaluation has one: %s", plain)
	}
	if err := json.Unmarshal([]byte(`{"Message":"m","Closest":"left=1 right=2","ClosestSeed":"12"}`), &back); err == nil {
		t.Error("a closest seed without 0x was accepted")
	}
}
