package assert_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// draws is a workload whose assertions depend on one draw per seed.
func draws(ctx context.Context) {
	w := sim.FromContext(ctx)
	r := w.Rand().IntN(4)
	assert.Always(ctx, r < 4, "draw in range", "r", r)
	assert.Sometimes(ctx, r == 0, "drew zero")
	assert.Sometimes(ctx, r > 10, "drew more than ten") // never
	assert.SometimesEach(ctx, "drew", r)
	if r == 3 {
		assert.Reachable(ctx, "drew three")
	}
	if r > 10 {
		assert.AlwaysOrUnreachable(ctx, false, "large draws are handled")
		assert.Always(ctx, true, "huge draws are checked")
	}
}

func TestMergeAndMissingAcrossSeeds(t *testing.T) {
	var runs [][]assert.Result
	perDraw := map[string]uint64{}
	for seed := range uint64(40) {
		w, err := runTask(seed, draws)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		rs := assert.Results(w)
		for _, r := range rs {
			if r.Message == "drew" {
				perDraw[r.Bucket]++
			}
		}
		runs = append(runs, rs)
	}
	merged := assert.Merge(runs...)
	byKey := map[string]assert.Result{}
	for _, r := range merged {
		byKey[r.Message+"/"+r.Bucket] = r
	}
	if r := byKey["draw in range/"]; r.Evaluated != 40 || r.Passed != 40 || r.Failed {
		t.Errorf("draw in range: %v, want passed 40 of 40", r)
	}
	if r := byKey["drew zero/"]; r.Evaluated != 40 || r.Passed != perDraw["0"] || r.Passed == 0 {
		t.Errorf("drew zero: %v, want passed %d of 40", r, perDraw["0"])
	}
	if r := byKey["drew three/"]; r.Evaluated != perDraw["3"] || r.Evaluated == 0 {
		t.Errorf("drew three: %v, want evaluated %d times", r, perDraw["3"])
	}
	for _, b := range []string{"0", "1", "2", "3"} {
		if r := byKey["drew/"+b]; r.Evaluated != perDraw[b] {
			t.Errorf("drew [%s]: %v, want %d", b, r, perDraw[b])
		}
	}
	if _, ok := byKey["large draws are handled/"]; ok {
		t.Error("an assertion that no seed evaluated is in the merged results")
	}
	if got := messages(assert.Missing(merged)); !slices.Equal(got, []string{"drew more than ten"}) {
		t.Errorf("Missing = %v, want [drew more than ten]", got)
	}
}

func messages(rs []assert.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Message)
	}
	return out
}

func TestMerge(t *testing.T) {
	a := []assert.Result{
		{Message: "m", Kind: assert.KindAlways, Location: "x/b.go:9", Evaluated: 2, Passed: 2},
		{Message: "e", Bucket: "1", Kind: assert.KindSometimesEach, Location: "x/e.go:1", Evaluated: 1, Passed: 1},
	}
	b := []assert.Result{
		{Message: "m", Kind: assert.KindAlways, Location: "x/a.go:3", Evaluated: 3, Passed: 1, Failed: true, Details: "i=1", Seed: 9},
		{Message: "e", Bucket: "2", Kind: assert.KindSometimesEach, Location: "x/e.go:1", Evaluated: 2, Passed: 2},
	}
	c := []assert.Result{
		{Message: "m", Kind: assert.KindAlways, Evaluated: 1, Failed: true, Details: "i=2", Seed: 4},
		{Message: "e", Kind: assert.KindSometimesEach, Location: "x/e.go:1"}, // from the catalog
		{Message: "never", Kind: assert.KindSometimesEach, Location: "x/n.go:5"},
	}
	want := []assert.Result{
		{Message: "e", Bucket: "1", Kind: assert.KindSometimesEach, Location: "x/e.go:1", Evaluated: 1, Passed: 1},
		{Message: "e", Bucket: "2", Kind: assert.KindSometimesEach, Location: "x/e.go:1", Evaluated: 2, Passed: 2},
		{Message: "m", Kind: assert.KindAlways, Location: "x/a.go:3", Evaluated: 6, Passed: 3, Failed: true, Details: "i=2", Seed: 4},
		{Message: "never", Kind: assert.KindSometimesEach, Location: "x/n.go:5"},
	}
	// Whatever the order of the runs, the Details kept are those of the
	// lowest failing seed.
	for _, order := range [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		runs := [][]assert.Result{a, b, c}
		got := assert.Merge(runs[order[0]], runs[order[1]], runs[order[2]])
		if !equalResults(got, want) {
			t.Errorf("Merge in order %v:\n got %v\nwant %v", order, got, want)
		}
	}
	if got := assert.Merge(); len(got) != 0 {
		t.Errorf("Merge() = %v, want nothing", got)
	}
}

func TestMissing(t *testing.T) {
	tests := []struct {
		r       assert.Result
		missing bool
	}{
		{assert.Result{Kind: assert.KindAlways}, true},
		{assert.Result{Kind: assert.KindAlways, Evaluated: 1, Failed: true}, false},
		{assert.Result{Kind: assert.KindAlwaysOrUnreachable}, false},
		{assert.Result{Kind: assert.KindSometimes, Evaluated: 5}, true},
		{assert.Result{Kind: assert.KindSometimes, Evaluated: 5, Passed: 1}, false},
		{assert.Result{Kind: assert.KindReachable}, true},
		{assert.Result{Kind: assert.KindReachable, Evaluated: 1, Passed: 1}, false},
		{assert.Result{Kind: assert.KindUnreachable}, false},
		{assert.Result{Kind: assert.KindSometimesEach}, true},
		{assert.Result{Kind: assert.KindSometimesEach, Bucket: "x", Evaluated: 1, Passed: 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.r.Kind.String(), func(t *testing.T) {
			got := assert.Missing([]assert.Result{tc.r})
			if (len(got) == 1) != tc.missing {
				t.Errorf("Missing(%v) = %v, want missing %v", tc.r, got, tc.missing)
			}
		})
	}
}

func TestResultsOfNothing(t *testing.T) {
	if rs := assert.Results(nil); rs != nil {
		t.Errorf("Results(nil) = %v", rs)
	}
	w, err := runTask(1, func(context.Context) {})
	if err != nil {
		t.Fatal(err)
	}
	if rs := assert.Results(w); rs != nil {
		t.Errorf("Results of a run without assertions = %v", rs)
	}
}

func TestResultString(t *testing.T) {
	tests := []struct {
		r    assert.Result
		want string
	}{
		{assert.Result{Message: "leader elected", Kind: assert.KindSometimes, Location: "raft/node.go:88", Evaluated: 40, Passed: 12},
			`Sometimes "leader elected" passed 12 of 40 at raft/node.go:88`},
		{assert.Result{Message: "no loss", Kind: assert.KindAlways, Evaluated: 3, Passed: 2, Failed: true, Details: "i=2"},
			`Always "no loss" passed 2 of 3 FAILED: i=2`},
		{assert.Result{Message: "leader", Bucket: "n2", Kind: assert.KindSometimesEach, Evaluated: 1, Passed: 1},
			`SometimesEach "leader" [n2] passed 1 of 1`},
		{assert.Result{Message: "queue fills", Kind: assert.KindSometimes, Location: "q.go:9", Evaluated: 5, Closest: "left=7 right=10", Gap: 3},
			`Sometimes "queue fills" passed 0 of 5, nearest left=7 right=10 at q.go:9`},
	}
	for _, tc := range tests {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("String() = %s, want %s", got, tc.want)
		}
	}
}

func TestKindText(t *testing.T) {
	for k := assert.KindAlways; k <= assert.KindSometimesEach; k++ {
		b, err := k.MarshalText()
		if err != nil || string(b) != k.String() {
			t.Errorf("%v.MarshalText() = %q, %v", k, b, err)
		}
		var back assert.Kind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
		}
	}
	if s := assert.Kind(0).String(); s != "Kind(0)" {
		t.Errorf("Kind(0).String() = %q", s)
	}
	if _, err := assert.Kind(99).MarshalText(); err == nil {
		t.Error("Kind(99).MarshalText() succeeded")
	}
	var k assert.Kind
	if err := k.UnmarshalText([]byte("Usually")); err == nil {
		t.Error(`UnmarshalText("Usually") succeeded`)
	}
}

// TestResultsJSON checks that a report survives JSON, as sharded runs
// exchange them.
func TestResultsJSON(t *testing.T) {
	w, _ := runTask(1, draws)
	rs := assert.Results(w)
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	var back []assert.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !equalResults(rs, back) {
		t.Errorf("JSON round trip:\n got %v\nwant %v", back, rs)
	}
}

// TestResultsJSONSeed: the seed of a failure's details is a hex string in
// JSON, and nothing else is read back as one.
func TestResultsJSONSeed(t *testing.T) {
	r := assert.Result{Message: "m", Kind: assert.KindAlways, Evaluated: 1, Failed: true, Details: "i=1", Seed: 42}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Seed":"0x2a"`) {
		t.Errorf("JSON %s: want \"Seed\":\"0x2a\"", b)
	}
	var back assert.Result
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	passed, _ := json.Marshal(assert.Result{Message: "m", Kind: assert.KindAlways, Seed: 7})
	if strings.Contains(string(passed), "Seed") {
		t.Errorf("a result that did not fail has a seed: %s", passed)
	}
	for _, bad := range []string{`"42"`, `42`, `"0x"`, `"0x1_0"`, `"0xZZ"`, `"0x10000000000000000"`} {
		in := `{"Message":"m","Kind":"Always","Failed":true,"Seed":` + bad + `}`
		if err := json.Unmarshal([]byte(in), &back); err == nil {
			t.Errorf("seed %s was accepted", bad)
		}
	}
	if err := json.Unmarshal([]byte(`{"Message":"m","Extra":1}`), &back); err == nil {
		t.Error("an unknown field was accepted")
	}
}
