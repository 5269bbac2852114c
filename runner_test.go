package orrery_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// seedsOf returns the seeds a run covered, sorted: failing seeds, when
// every seed fails.
func seedsOf(t *testing.T, opts orrery.Options) []uint64 {
	t.Helper()
	s := counter()
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error { return errFail }}
	}
	rep, err := orrery.Run(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, f := range rep.Failures {
		out = append(out, f.Seed)
	}
	return out
}

var errFail = errorString("every seed fails")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestShardsSplitTheRunDisjointly(t *testing.T) {
	all := seedsOf(t, orrery.Options{Seeds: 50})
	var union []uint64
	for k := range 3 {
		part := seedsOf(t, orrery.Options{Seeds: 50, Shard: orrery.Shard{Index: k, Count: 3}})
		if len(part) < 16 || len(part) > 17 {
			t.Errorf("shard %d/3 ran %d seeds, want 16 or 17", k+1, len(part))
		}
		union = append(union, part...)
	}
	slices.Sort(union)
	if !slices.Equal(union, all) {
		t.Fatalf("the shards' seeds are not the run's: %d vs %d", len(union), len(all))
	}
}

func TestReplayRunsExactlyTheGivenSeeds(t *testing.T) {
	got := seedsOf(t, orrery.Options{Replay: []uint64{42, 7}})
	if !slices.Equal(got, []uint64{7, 42}) {
		t.Fatalf("replayed %v, want [7 42]", got)
	}
}

func TestSeedsAreStableAcrossParallelism(t *testing.T) {
	one := seedsOf(t, orrery.Options{Seeds: 30, Parallel: 1})
	many := seedsOf(t, orrery.Options{Seeds: 30, Parallel: 4})
	if !slices.Equal(one, many) || len(one) != 30 {
		t.Fatalf("parallel 1 ran %d seeds, parallel 4 %d, or different ones", len(one), len(many))
	}
}

func TestStopRules(t *testing.T) {
	// Two workers, whatever GOMAXPROCS: seeds already running when the
	// coverage is reached still finish, one per worker at most.
	rep, err := orrery.Run(counter(), orrery.Options{UntilCovered: true, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != "covered" || rep.Seeds == 0 || rep.Seeds > 4 {
		t.Errorf("until covered: stopped %q after %d seeds, want covered after one or a few", rep.Stopped, rep.Seeds)
	}
	rep, err = orrery.Run(counter(), orrery.Options{Budget: 50 * time.Millisecond, Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != "budget" || rep.Seeds < 2 || rep.Wall > 2*time.Second {
		t.Errorf("budget: stopped %q after %d seeds and %v", rep.Stopped, rep.Seeds, rep.Wall)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	s := counter()
	s.Bugs = []string{"known"}
	for _, tt := range []struct {
		opts orrery.Options
		want string
	}{
		{orrery.Options{Seeds: -1}, "seeds: -1 is negative"},
		{orrery.Options{Parallel: -2}, "parallel: -2"},
		{orrery.Options{Budget: -time.Second}, "budget"},
		{orrery.Options{Shard: orrery.Shard{Index: 3, Count: 3}}, "shard: 4/3"},
		{orrery.Options{LogFilter: "loud"}, `log filter "loud": trace level "loud"`},
		{orrery.Options{Bugs: []string{"unknown"}}, `bug "unknown": simulation counter plants only known`},
	} {
		if _, err := orrery.Run(s, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(%+v) = %v, want an error containing %q", tt.opts, err, tt.want)
		}
	}
}

func TestParseSeed(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0x2a", 42, true}, {"42", 42, true}, {" 0xFFFFFFFFFFFFFFFF ", 1<<64 - 1, true},
		{"", 0, false}, {"0x", 0, false}, {"-1", 0, false}, {"seed", 0, false}, {"0x10000000000000000", 0, false},
	} {
		got, err := orrery.ParseSeed(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSeed(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestReportJSONRoundTripAndMerge(t *testing.T) {
	var shards []*orrery.Report
	for k := range 2 {
		rep, err := orrery.Run(counter(), orrery.Options{Seeds: 10, Shard: orrery.Shard{Index: k, Count: 2}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := rep.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := orrery.ReadReport(&buf)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, back)
	}
	merged, err := orrery.MergeReports(shards...)
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := orrery.Run(counter(), orrery.Options{Seeds: 10})
	if merged.Seeds != 10 || merged.Events != whole.Events || merged.SimTime != whole.SimTime ||
		merged.Asserts[0].Evaluated != whole.Asserts[0].Evaluated {
		t.Fatalf("merged shards differ from the whole run: %+v vs %+v", merged, whole)
	}
}

func TestReadReportRefusesWhatIsNotAReport(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "not an orrery report"},
		{"hello", "not an orrery report"},
		{`{"format":"other/1","complete":true}`, `format "other/1"`},
		{`{"format":"orrery-report/3","complete":false}`, "incomplete"},
		{`{"format":"orrery-report/3","complete":true,"extra":1}`, "unknown field"},
	} {
		if _, err := orrery.ReadReport(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadReport(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
	a := &orrery.Report{Simulation: "a"}
	b := &orrery.Report{Simulation: "b"}
	if _, err := orrery.MergeReports(a, b); err == nil || !strings.Contains(err.Error(), "two simulations") {
		t.Errorf("merging two simulations: %v", err)
	}
}

func TestCatalogFailsARunThatMissedAnAssertion(t *testing.T) {
	never := assert.Result{Message: "the rare path", Kind: assert.KindReachable, Location: "x/x.go:5"}
	rep, err := orrery.Run(counter(), orrery.Options{Seeds: 3, Catalog: []assert.Result{never}})
	if err != nil {
		t.Fatal(err)
	}
	missing := rep.Missing()
	if rep.OK() || len(missing) != 1 || missing[0].Message != "the rare path" {
		t.Fatalf("missing = %+v", missing)
	}
}

// TestProgressIsToldOfEverySeed: Options.Progress hears of each finished
// seed, with counts that grow one at a time up to the run's total.
func TestProgressIsToldOfEverySeed(t *testing.T) {
	var calls [][3]int
	rep, err := orrery.Run(counter(), orrery.Options{Seeds: 5, Parallel: 2, Progress: func(done, failed, total int) {
		calls = append(calls, [3]int{done, failed, total}) // calls come one at a time
	}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v", err)
	}
	if len(calls) != 5 {
		t.Fatalf("Progress called %d times, want 5: %v", len(calls), calls)
	}
	for i, c := range calls {
		if c != [3]int{i + 1, 0, 5} {
			t.Errorf("call %d: %v, want [%d 0 5]", i, c, i+1)
		}
	}
}
