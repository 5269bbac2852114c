package assert_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/assert/catalog"
	"github.com/orrerysim/orrery/sim"
)

// callEveryFunction calls every function once, each on a line of its own
// with a message that names it, so that the test can find the line.
func callEveryFunction(ctx context.Context) {
	assert.Always(ctx, true, "loc Always")
	assert.AlwaysOrUnreachable(ctx, true, "loc AlwaysOrUnreachable")
	assert.Sometimes(ctx, true, "loc Sometimes")
	assert.Reachable(ctx, "loc Reachable")
	assert.AlwaysGreaterThan(ctx, 2, 1, "loc AlwaysGreaterThan")
	assert.AlwaysGreaterThanOrEqualTo(ctx, 2, 1, "loc AlwaysGreaterThanOrEqualTo")
	assert.AlwaysLessThan(ctx, 1, 2, "loc AlwaysLessThan")
	assert.AlwaysLessThanOrEqualTo(ctx, 1, 2, "loc AlwaysLessThanOrEqualTo")
	assert.SometimesGreaterThan(ctx, 2, 1, "loc SometimesGreaterThan")
	assert.SometimesGreaterThanOrEqualTo(ctx, 2, 1, "loc SometimesGreaterThanOrEqualTo")
	assert.SometimesLessThan(ctx, 1, 2, "loc SometimesLessThan")
	assert.SometimesLessThanOrEqualTo(ctx, 1, 2, "loc SometimesLessThanOrEqualTo")
	assert.AlwaysSome(ctx, map[string]bool{"a": true}, "loc AlwaysSome")
	assert.SometimesAll(ctx, map[string]bool{"a": true}, "loc SometimesAll")
	assert.SometimesEach(ctx, "loc SometimesEach", 1)
	assert.Unreachable(ctx, "loc Unreachable")
}

// lineOf returns "assert/location_test.go:N" for the first line of this
// file that contains s.
func lineOf(t *testing.T, s string) string {
	t.Helper()
	src, err := os.ReadFile("location_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, s) {
			return "assert/location_test.go:" + strconv.Itoa(i+1)
		}
	}
	t.Fatalf("no line contains %q", s)
	return ""
}

func TestLocationIsTheCallSite(t *testing.T) {
	w, err := runTask(1, callEveryFunction)
	checkFailure(t, err, []string{"reached at " + lineOf(t, `"loc Unreachable"`)})
	results := assert.Results(w)
	if len(results) != 16 {
		t.Fatalf("%d results, want 16: %v", len(results), results)
	}
	sites, err := catalog.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	found := make(map[string]string) // message -> location
	for _, s := range sites {
		found[s.Message] = s.Location
	}
	for _, r := range results {
		want := lineOf(t, strconv.Quote(r.Message))
		if r.Location != want {
			t.Errorf("%s: Location %q, want %q", r.Message, r.Location, want)
		}
		if found[r.Message] != want {
			t.Errorf("%s: Catalog location %q, want %q", r.Message, found[r.Message], want)
		}
	}
}

func TestLocationOfFirstSiteAndOfFailure(t *testing.T) {
	w, err := runTask(1, func(ctx context.Context) {
		for i := range 2 {
			assert.Always(ctx, true, "two sites")   // first site
			assert.Always(ctx, i == 0, "two sites") // failing site
		}
	})
	checkFailure(t, err, []string{"failed at " + lineOf(t, "// failing site")})
	if got, want := assert.Results(w)[0].Location, lineOf(t, "// first site"); got != want {
		t.Errorf("Location %q, want the first site evaluated, %q", got, want)
	}
}

func TestLocationIsCachedAcrossRuns(t *testing.T) {
	var first string
	for seed := range uint64(3) {
		w := sim.New(sim.Config{Seed: seed})
		w.Spawn("t", func(ctx context.Context) { assert.Reachable(ctx, "cached") })
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		loc := assert.Results(w)[0].Location
		if first == "" {
			first = loc
		}
		if loc != first || loc != lineOf(t, `"cached"`) {
			t.Errorf("seed %d: Location %q, first run %q", seed, loc, first)
		}
	}
}
