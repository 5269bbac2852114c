package assert_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// runTask runs body as the only task of a World with the given seed.
func runTask(seed uint64, body func(ctx context.Context)) (*sim.World, error) {
	w := sim.New(sim.Config{Seed: seed})
	w.Spawn("t", body)
	return w, w.Run()
}

// rows returns w's results without their locations, which TestLocation
// checks on its own.
func rows(w *sim.World) []assert.Result {
	rs := assert.Results(w)
	for i := range rs {
		rs[i].Location = ""
	}
	return rs
}

func row(kind assert.Kind, msg string, evaluated, passed uint64) assert.Result {
	return assert.Result{Message: msg, Kind: kind, Evaluated: evaluated, Passed: passed}
}

func failed(r assert.Result, details string) assert.Result {
	r.Failed, r.Details = true, details
	return r
}

// familyCases cover the pass and the fail behaviour of every function.
// wantErr lists what the failure message must contain; nil means the seed
// passes.
var familyCases = []struct {
	name    string
	body    func(ctx context.Context)
	wantErr []string
	want    []assert.Result
}{
	{"Always/pass", func(ctx context.Context) {
		assert.Always(ctx, true, "balance never negative", "balance", 5)
	}, nil, []assert.Result{row(assert.KindAlways, "balance never negative", 1, 1)}},
	{"Always/fail", func(ctx context.Context) {
		assert.Always(ctx, false, "balance never negative", "account", 7, "balance", -5)
	}, []string{`Always "balance never negative" failed at assert/assert_test.go:`, ": account=7 balance=-5"},
		[]assert.Result{failed(row(assert.KindAlways, "balance never negative", 1, 0), "account=7 balance=-5")}},
	{"AlwaysOrUnreachable/pass", func(ctx context.Context) {
		assert.AlwaysOrUnreachable(ctx, true, "recovered log is a prefix")
	}, nil, []assert.Result{row(assert.KindAlwaysOrUnreachable, "recovered log is a prefix", 1, 1)}},
	{"AlwaysOrUnreachable/fail", func(ctx context.Context) {
		assert.AlwaysOrUnreachable(ctx, false, "recovered log is a prefix", "index", 3)
	}, []string{`AlwaysOrUnreachable "recovered log is a prefix" failed`, ": index=3"},
		[]assert.Result{failed(row(assert.KindAlwaysOrUnreachable, "recovered log is a prefix", 1, 0), "index=3")}},
	{"Sometimes/true", func(ctx context.Context) {
		assert.Sometimes(ctx, true, "client saw a timeout")
		assert.Sometimes(ctx, false, "client saw a timeout")
	}, nil, []assert.Result{row(assert.KindSometimes, "client saw a timeout", 2, 1)}},
	{"Sometimes/false does not fail the seed", func(ctx context.Context) {
		assert.Sometimes(ctx, false, "client saw a timeout")
	}, nil, []assert.Result{row(assert.KindSometimes, "client saw a timeout", 1, 0)}},
	{"Reachable", func(ctx context.Context) {
		assert.Reachable(ctx, "leader stepped down", "term", 2)
		assert.Reachable(ctx, "leader stepped down", "term", 3)
	}, nil, []assert.Result{row(assert.KindReachable, "leader stepped down", 2, 2)}},
	{"Unreachable/not reached", func(ctx context.Context) {
		if false {
			assert.Unreachable(ctx, "two leaders in a term")
		}
	}, nil, nil},
	{"Unreachable/reached", func(ctx context.Context) {
		assert.Unreachable(ctx, "two leaders in a term", "term", 4)
	}, []string{`Unreachable "two leaders in a term" reached at assert/assert_test.go:`, ": term=4"},
		[]assert.Result{failed(row(assert.KindUnreachable, "two leaders in a term", 1, 0), "term=4")}},

	{"AlwaysGreaterThan/pass", func(ctx context.Context) {
		assert.AlwaysGreaterThan(ctx, 2, 1, "gt")
	}, nil, []assert.Result{row(assert.KindAlways, "gt", 1, 1)}},
	{"AlwaysGreaterThan/fail on equal", func(ctx context.Context) {
		assert.AlwaysGreaterThan(ctx, 1, 1, "gt", "node", 3)
	}, []string{`AlwaysGreaterThan "gt" failed`, ": want left > right: left=1 node=3 right=1"},
		[]assert.Result{failed(row(assert.KindAlways, "gt", 1, 0), "left=1 node=3 right=1")}},
	{"AlwaysGreaterThanOrEqualTo/pass", func(ctx context.Context) {
		assert.AlwaysGreaterThanOrEqualTo(ctx, 1.5, 1.5, "ge")
	}, nil, []assert.Result{row(assert.KindAlways, "ge", 1, 1)}},
	{"AlwaysGreaterThanOrEqualTo/fail on NaN", func(ctx context.Context) {
		assert.AlwaysGreaterThanOrEqualTo(ctx, math.NaN(), 0, "ge")
	}, []string{"want left >= right: left=NaN right=0"},
		[]assert.Result{failed(row(assert.KindAlways, "ge", 1, 0), "left=NaN right=0")}},
	{"AlwaysLessThan/pass", func(ctx context.Context) {
		assert.AlwaysLessThan(ctx, 150*time.Millisecond, 200*time.Millisecond, "latency bounded")
	}, nil, []assert.Result{row(assert.KindAlways, "latency bounded", 1, 1)}},
	{"AlwaysLessThan/fail", func(ctx context.Context) {
		assert.AlwaysLessThan(ctx, 250*time.Millisecond, 200*time.Millisecond, "latency bounded")
	}, []string{`AlwaysLessThan "latency bounded" failed`, "want left < right: left=250ms right=200ms"},
		[]assert.Result{failed(row(assert.KindAlways, "latency bounded", 1, 0), "left=250ms right=200ms")}},
	{"AlwaysLessThanOrEqualTo/pass", func(ctx context.Context) {
		assert.AlwaysLessThanOrEqualTo(ctx, uint8(3), 3, "le")
	}, nil, []assert.Result{row(assert.KindAlways, "le", 1, 1)}},
	{"AlwaysLessThanOrEqualTo/fail", func(ctx context.Context) {
		assert.AlwaysLessThanOrEqualTo(ctx, 4, 3, "le")
	}, []string{"want left <= right: left=4 right=3"},
		[]assert.Result{failed(row(assert.KindAlways, "le", 1, 0), "left=4 right=3")}},
	{"SometimesGreaterThan", func(ctx context.Context) {
		assert.SometimesGreaterThan(ctx, 1, 2, "sgt")
		assert.SometimesGreaterThan(ctx, 3, 2, "sgt")
	}, nil, []assert.Result{row(assert.KindSometimes, "sgt", 2, 1)}},
	{"SometimesGreaterThanOrEqualTo", func(ctx context.Context) {
		assert.SometimesGreaterThanOrEqualTo(ctx, 1, 2, "sge")
	}, nil, []assert.Result{nearest(row(assert.KindSometimes, "sge", 1, 0), "left=1 right=2", 1)}},
	{"SometimesLessThan", func(ctx context.Context) {
		assert.SometimesLessThan(ctx, "a", "b", "slt")
	}, nil, []assert.Result{row(assert.KindSometimes, "slt", 1, 1)}},
	{"SometimesLessThanOrEqualTo", func(ctx context.Context) {
		assert.SometimesLessThanOrEqualTo(ctx, int64(5), 4, "sle")
		assert.SometimesLessThanOrEqualTo(ctx, int64(4), 4, "sle")
	}, nil, []assert.Result{row(assert.KindSometimes, "sle", 2, 1)}},

	{"AlwaysSome/pass", func(ctx context.Context) {
		assert.AlwaysSome(ctx, map[string]bool{"r1": false, "r2": true}, "some replica has the entry")
	}, nil, []assert.Result{row(assert.KindAlways, "some replica has the entry", 1, 1)}},
	{"AlwaysSome/fail lists conditions sorted", func(ctx context.Context) {
		assert.AlwaysSome(ctx, map[string]bool{"r3": false, "r1": false, "r2": false}, "some replica has the entry", "index", 9)
	}, []string{`AlwaysSome "some replica has the entry" failed`, ": index=9 r1=false r2=false r3=false"},
		[]assert.Result{failed(row(assert.KindAlways, "some replica has the entry", 1, 0), "index=9 r1=false r2=false r3=false")}},
	{"AlwaysSome/empty fails", func(ctx context.Context) {
		assert.AlwaysSome(ctx, nil, "some")
	}, []string{`AlwaysSome "some" failed`}, []assert.Result{failed(row(assert.KindAlways, "some", 1, 0), "")}},
	{"SometimesAll/all together", func(ctx context.Context) {
		assert.SometimesAll(ctx, map[string]bool{"a": true, "b": false}, "all caught up")
		assert.SometimesAll(ctx, map[string]bool{"a": false, "b": true}, "all caught up")
		assert.SometimesAll(ctx, map[string]bool{"a": true, "b": true}, "all caught up")
	}, nil, []assert.Result{row(assert.KindSometimes, "all caught up", 3, 1)}},
	{"SometimesAll/each alone is not enough", func(ctx context.Context) {
		assert.SometimesAll(ctx, map[string]bool{"a": true, "b": false}, "all caught up")
		assert.SometimesAll(ctx, map[string]bool{"a": false, "b": true}, "all caught up")
	}, nil, []assert.Result{row(assert.KindSometimes, "all caught up", 2, 0)}},
	{"SometimesAll/empty holds", func(ctx context.Context) {
		assert.SometimesAll(ctx, map[string]bool{}, "all")
	}, nil, []assert.Result{row(assert.KindSometimes, "all", 1, 1)}},
	{"SometimesEach", func(ctx context.Context) {
		for _, leader := range []int{2, 1, 2, 3, 2} {
			assert.SometimesEach(ctx, "node was leader", leader)
		}
	}, nil, []assert.Result{
		{Message: "node was leader", Bucket: "1", Kind: assert.KindSometimesEach, Evaluated: 1, Passed: 1},
		{Message: "node was leader", Bucket: "2", Kind: assert.KindSometimesEach, Evaluated: 3, Passed: 3},
		{Message: "node was leader", Bucket: "3", Kind: assert.KindSometimesEach, Evaluated: 1, Passed: 1},
	}},
}

func TestFamilies(t *testing.T) {
	for _, tc := range familyCases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := runTask(1, tc.body)
			checkFailure(t, err, tc.wantErr)
			got := rows(w)
			if !equalResults(got, tc.want) {
				t.Errorf("results:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// checkFailure checks that err is nil when want is, and otherwise an
// assertion failure of task "t" whose message contains every string of want.
func checkFailure(t *testing.T, err error, want []string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Run() = %v, want nil", err)
		}
		return
	}
	var f *sim.Failure
	if !errors.As(err, &f) {
		t.Fatalf("Run() = %v, want a *sim.Failure", err)
	}
	if f.Kind != sim.FailAssertion || f.TaskName != "t" {
		t.Errorf("failure kind %v in task %q, want assertion in task \"t\"", f.Kind, f.TaskName)
	}
	for _, s := range want {
		if !strings.Contains(f.Message, s) {
			t.Errorf("failure message %q does not contain %q", f.Message, s)
		}
	}
}

func equalResults(a, b []assert.Result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNoopOutsideSimulation(t *testing.T) {
	var nilCtx context.Context
	ctxs := []struct {
		name string
		ctx  context.Context
	}{{"Background", context.Background()}, {"nil", nilCtx}}
	for _, c := range ctxs {
		ctx := c.ctx
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range familyCases {
				tc.body(ctx) // must neither panic nor fail
			}
			if n := testing.AllocsPerRun(100, func() { everyFunction(ctx) }); n != 0 {
				t.Errorf("every function outside a simulation: %v allocations per run, want 0", n)
			}
		})
	}
}

// sink keeps the compiler from folding the values given to everyFunction.
var sink = struct {
	n    int
	d    time.Duration
	f    float64
	err  error
	conf *sim.Config
}{n: 100_000, d: time.Second, f: 2.5, err: errors.New("boom"), conf: &sim.Config{}}

// everyFunction calls each function once, with details that cost nothing
// to box (constants, small integers, errors, pointers) and numeric and
// SometimesEach values held in variables, which are not boxed at all.
func everyFunction(ctx context.Context) {
	n, d, f := sink.n, sink.d, sink.f
	assert.Always(ctx, n > 0, "always", "k", "v", "small", 7, "err", sink.err, "conf", sink.conf)
	assert.AlwaysOrUnreachable(ctx, n > 0, "always or unreachable", "k", 1)
	assert.Sometimes(ctx, n < 0, "sometimes", "k", 1)
	assert.Reachable(ctx, "reachable")
	assert.Unreachable(ctx, "unreachable", "err", sink.err)
	assert.AlwaysGreaterThan(ctx, n, 1, "gt")
	assert.AlwaysGreaterThanOrEqualTo(ctx, f, 1, "ge")
	assert.AlwaysLessThan(ctx, d, 2*d, "lt")
	assert.AlwaysLessThanOrEqualTo(ctx, n, n, "le")
	assert.SometimesGreaterThan(ctx, n, 1, "sgt")
	assert.SometimesGreaterThanOrEqualTo(ctx, f, 1, "sge")
	assert.SometimesLessThan(ctx, d, 2*d, "slt")
	assert.SometimesLessThanOrEqualTo(ctx, n, n, "sle")
	assert.AlwaysSome(ctx, map[string]bool{"a": n > 0, "b": n < 0}, "some")
	assert.SometimesAll(ctx, map[string]bool{"a": n > 0, "b": n < 0}, "all")
	assert.SometimesEach(ctx, "each", n)
	assert.SometimesEach(ctx, "each duration", d)
}

func TestAssertionsInSetupAndHandlers(t *testing.T) {
	// Outside a task (during setup) the World is in the context too; the
	// failure then names no task.
	w := sim.New(sim.Config{Seed: 1})
	assert.Always(w.Context(), false, "checked at setup")
	var f *sim.Failure
	if err := w.Run(); !errors.As(err, &f) || f.Kind != sim.FailAssertion || f.Task != 0 {
		t.Fatalf("Run() = %v, want an assertion failure without a task", err)
	}
}

func TestMessageIsIdentity(t *testing.T) {
	w, err := runTask(1, func(ctx context.Context) {
		assert.Sometimes(ctx, false, "one assertion")
		assert.Sometimes(ctx, true, "one assertion") // another site, same assertion
		assert.SometimesGreaterThan(ctx, 2, 1, "one assertion")
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []assert.Result{row(assert.KindSometimes, "one assertion", 3, 2)}
	if got := rows(w); !equalResults(got, want) {
		t.Errorf("results:\n got %v\nwant %v", got, want)
	}
}

func TestKindConflictFailsTheSeed(t *testing.T) {
	w, err := runTask(1, func(ctx context.Context) {
		assert.Always(ctx, true, "shared message")
		assert.Sometimes(ctx, true, "shared message")
	})
	checkFailure(t, err, []string{`assert: message "shared message" names both Always at assert/assert_test.go:`,
		"and Sometimes at assert/assert_test.go:", "give each assertion its own"})
	want := []assert.Result{row(assert.KindAlways, "shared message", 1, 1)}
	if got := rows(w); !equalResults(got, want) {
		t.Errorf("results:\n got %v\nwant %v", got, want)
	}
}

func TestFirstFailureKeepsItsDetails(t *testing.T) {
	w, err := runTask(1, func(ctx context.Context) {
		for i := range 3 {
			assert.Always(ctx, i == 1, "only one", "i", i)
		}
	})
	checkFailure(t, err, []string{": i=0"})
	want := []assert.Result{failed(row(assert.KindAlways, "only one", 3, 1), "i=0")}
	if got := rows(w); !equalResults(got, want) {
		t.Errorf("results:\n got %v\nwant %v", got, want)
	}
}

func TestDetails(t *testing.T) {
	tests := []struct {
		name    string
		details []any
		want    string
	}{
		{"none", nil, ""},
		{"sorted by key", []any{"z", 1, "a", 2, "m", 3}, "a=2 m=3 z=1"},
		{"duplicate keys keep their order", []any{"k", 2, "k", 1}, "k=2 k=1"},
		{"quoted values", []any{"s", "two words", "e", "", "q", `a"b`, "eq", "a=b"},
			`e="" eq="a=b" q="a\"b" s="two words"`},
		{"key without value", []any{"alone"}, "!BADKEY=alone"},
		{"value without key", []any{42, "k", "v"}, "!BADKEY=42 k=v"},
		{"slog attrs and groups", []any{slog.Int("n", 3), slog.Group("req", "id", 7, "path", "/x")},
			"n=3 req.id=7 req.path=/x"},
		{"formatted like slog", []any{"d", 1500 * time.Millisecond, "f", 0.25, "err", errors.New("io: eof"), "b", true},
			`b=true d=1.5s err="io: eof" f=0.25`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := runTask(1, func(ctx context.Context) {
				assert.Always(ctx, false, "details", tc.details...)
			})
			if got := assert.Results(w)[0].Details; got != tc.want {
				t.Errorf("details = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSometimesEachBuckets(t *testing.T) {
	type pair struct{ a, b int }
	w, err := runTask(1, func(ctx context.Context) {
		assert.SometimesEach(ctx, "floats", math.NaN())
		assert.SometimesEach(ctx, "floats", math.NaN()) // NaN != NaN, but one label
		assert.SometimesEach(ctx, "floats", 0.5)
		assert.SometimesEach(ctx, "structs", pair{1, 2})
		assert.SometimesEach(ctx, "structs", pair{1, 2})
		assert.SometimesEach(ctx, "mixed", 1)
		assert.SometimesEach(ctx, "mixed", "1") // another type, the same label
		assert.SometimesEach(ctx, "mixed", int64(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	each := func(msg, bucket string, n uint64) assert.Result {
		return assert.Result{Message: msg, Bucket: bucket, Kind: assert.KindSometimesEach, Evaluated: n, Passed: n}
	}
	want := []assert.Result{
		each("floats", "0.5", 1), each("floats", "NaN", 2),
		each("mixed", "1", 2), each("mixed", "2", 1),
		each("structs", "{1 2}", 2),
	}
	if got := rows(w); !equalResults(got, want) {
		t.Errorf("results:\n got %v\nwant %v", got, want)
	}
}
