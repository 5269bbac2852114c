package orrery_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/orrerytest"
	"github.com/orrerysim/orrery/trace"
)

// withRun is counter with every adder running run instead.
func withRun(name string, run func(e env.Env) error) orrery.Simulation {
	s := counter()
	s.Name = name
	s.Workloads[0].New = func() orrery.Driver { return orrery.Funcs{RunFunc: run} }
	s.Invariants = nil
	return s
}

// explode is the user's code that panics, at a line the stack must show.
func explode(n int) { panic(fmt.Sprintf("explode %d", n)) }

// drawer fails the assertion "draw at least 50" in about half the seeds,
// with the draw in its details.
func drawer() orrery.Simulation {
	return withRun("drawer", func(e env.Env) error {
		r := e.Rand().IntN(100)
		assert.Always(e.Context(), r >= 50, "draw at least 50", "r", r)
		return nil
	})
}

func runOK(t *testing.T, s orrery.Simulation, opts orrery.Options) *orrery.Report {
	t.Helper()
	rep, err := orrery.Run(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func table(t *testing.T, rep *orrery.Report) string {
	t.Helper()
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFailuresSayWhereAndWhy: a panic shows its value and the user's
// stack, a deadlock every parked task, an invariant the seq of the event
// that broke it and the trace why command that starts there; and the
// JSON report carries the same.
func TestFailuresSayWhereAndWhy(t *testing.T) {
	panics := withRun("panics", func(e env.Env) error { explode(e.Rand().IntN(10)); return nil })
	deadlocks := withRun("deadlocks", func(e env.Env) error {
		_, _, err := env.NewChan[int](e, 0).Recv(e.Context())
		return err
	})
	for _, tt := range []struct {
		sim  orrery.Simulation
		want []string
	}{
		{panics, []string{"panic: explode", "stack:", "report_test.go:", "orrery_test.explode", `in task `, `"adder-`}},
		{deadlocks, []string{"deadlock", "parked tasks (", `"adder-1/run" waiting on chan recv`, `"counter/main" waiting on`}},
	} {
		t.Run(tt.sim.Name, func(t *testing.T) {
			rep := runOK(t, tt.sim, orrery.Options{Seeds: 2})
			got := table(t, rep)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("the summary does not say %q:\n%s", w, got)
				}
			}
			var js bytes.Buffer
			rep.WriteJSON(&js)
			back, err := orrery.ReadReport(&js)
			if err != nil {
				t.Fatal(err)
			}
			if got := table(t, back); got != table(t, rep) {
				t.Errorf("the summary of the JSON report differs:\n%s", got)
			}
		})
	}
}

// TestInvariantFailureNamesItsEvent: the seq shown is the event whose
// processing broke the invariant, and trace why on the seed's trace starts
// there.
func TestInvariantFailureNamesItsEvent(t *testing.T) {
	rep := runOK(t, bank.Simulation(bank.Options{}), orrery.Options{Seeds: 3, Bugs: []string{bank.BugLostUpdate}})
	if rep.Failed == 0 {
		t.Fatal("no seed failed")
	}
	f := rep.Failures[0]
	got := table(t, rep)
	for _, w := range []string{fmt.Sprintf("broken by event seq=%d at", f.Seq), fmt.Sprintf("trace why TRACE %d,", f.Seq)} {
		if !strings.Contains(got, w) {
			t.Errorf("the summary does not say %q:\n%s", w, got)
		}
	}
	var tr bytes.Buffer
	runOK(t, bank.Simulation(bank.Options{}), orrery.Options{Replay: []uint64{f.Seed}, Bugs: []string{bank.BugLostUpdate}, Trace: &tr})
	chain, err := trace.Why(bytes.NewReader(tr.Bytes()), 0)
	if err != nil || chain.Failure == nil {
		t.Fatalf("trace why of the failure: %v", err)
	}
	if chain.Seq != f.Seq {
		t.Errorf("the report names seq %d, the trace's failure is at seq %d", f.Seq, chain.Seq)
	}
}

// TestSummaryOfAFailedRun checks the summary's layout on a report made by
// hand: the lowest seed in full, the others in one line, how to see more,
// the speed-up arithmetic.
func TestSummaryOfAFailedRun(t *testing.T) {
	rep := &orrery.Report{Format: orrery.ReportFormat, Simulation: "bank", Seeds: 40, Stopped: "seeds",
		SimTime: 10 * time.Second, Events: 1234, Wall: time.Second, CPU: 4 * time.Second, Complete: true,
		Asserts: []assert.Result{{Message: "reached", Kind: assert.KindReachable, Location: "bank/x.go:9"}}}
	rep.Failures = append(rep.Failures, orrery.SeedFailure{Seed: 0x2a, Kind: "panic",
		Message: "panic: runtime error: index out of range [3] with length 3", At: 1500 * time.Millisecond,
		Seq: 84, RNGCalls: 197, TaskID: 13, Task: "bank/conn", Where: "bank/server.go:88",
		Stack:  "bank.(*server).apply\n\tbank/server.go:88\nbank.(*server).serve\n\tbank/server.go:61\n",
		Parked: []orrery.ParkedTask{{ID: 2, Task: "bank/main", Waiting: "mutex", HolderID: 13, Holder: "bank/conn", Where: "bank/server.go:40"}, {ID: 3, Task: "ticker", Daemon: true, Waiting: "timer until t=2.000000s"}},
		Chaos:  "net: clog 10%", Replay: "orrery replay bank --seed 0x2a --swarm"})
	rep.Failures = append(rep.Failures, orrery.SeedFailure{Seed: 0x2b, Kind: "nondeterminism",
		Message: "two runs differ\nline 2\nline 3", Replay: "orrery replay bank --seed 0x2b --swarm"})
	for i := range 10 {
		rep.Failures = append(rep.Failures, orrery.SeedFailure{Seed: 0x100 + uint64(i), Kind: "invariant",
			Message: "broken", Seq: 9, Where: "bank/inv.go:3", Replay: fmt.Sprintf("orrery replay bank --seed %#x", 0x100+i)})
	}
	rep.Failed = len(rep.Failures)
	if got := [2]float64{rep.Speedup(), rep.SpeedupPerCore()}; got != [2]float64{10, 2.5} {
		t.Errorf("speed-ups = %v, want sim time / wall time 10 and sim time / seed time 2.5", got)
	}
	golden.Check(t, filepath.Join("testdata", "report", "table.golden"), []byte(table(t, rep)))
}

// recorder is a testing.TB that keeps what Test prints.
type recorder struct {
	testing.TB
	errors, logs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Logf(format string, a ...any) { r.logs = append(r.logs, fmt.Sprintf(format, a...)) }
func (r *recorder) Fatalf(format string, a ...any) {
	r.TB.Fatalf("Test called Fatalf: "+format, a...)
}

// TestGoTestPrintsEachFailureOnce: under go test, a failed run is one
// error holding the summary (each failure once, in go test's terms), and a
// passed run a log line.
func TestGoTestPrintsEachFailureOnce(t *testing.T) {
	rec := &recorder{TB: t}
	path := filepath.Join(t.TempDir(), "report.json")
	t.Setenv("ORRERY_SEEDS", "100") // whatever the go test run asks of the simulations
	t.Setenv("ORRERY_REPORT", path)
	orrerytest.Test(rec, withRun("panics", func(e env.Env) error {
		if err := e.Clock().Sleep(e.Context(), time.Millisecond); err != nil {
			return err
		}
		explode(e.Rand().IntN(10))
		return nil
	}))
	if len(rec.errors) != 1 || len(rec.logs) != 0 {
		t.Fatalf("Test printed %d errors and %d logs, want 1 error:\n%s", len(rec.errors), len(rec.logs), strings.Join(append(rec.errors, rec.logs...), "\n---\n"))
	}
	out := rec.errors[0]
	t.Logf("a panicking simulation under go test:%s", out)
	for _, w := range []string{"panic: explode", "report_test.go:", "ORRERY_SEED=0x", "ORRERY_REPORT=FILE lists them all", "trace why"} {
		if !strings.Contains(out, w) {
			t.Errorf("go test output does not say %q", w)
		}
	}
	if strings.Contains(out, "--report") || strings.Count(out, "FAIL ") != 11 {
		t.Errorf("go test output lists a failure twice or names a flag go test lacks:\n%s", out)
	}
	perTest := filepath.Join(filepath.Dir(path), "report.TestGoTestPrintsEachFailureOnce.json")
	if reps, err := readReports(t, perTest); err != nil || reps[0].Failed != 100 || len(reps[0].Failures) != 100 {
		t.Errorf("ORRERY_REPORT=FILE does not list every failing seed: %v", err)
	}
	t.Setenv("ORRERY_REPORT", "")
	pass := &recorder{TB: t}
	orrerytest.Test(pass, counter())
	if len(pass.errors) != 0 || len(pass.logs) != 1 {
		t.Errorf("a passing run printed %d errors and %d logs, want one log", len(pass.errors), len(pass.logs))
	}
}

// zeroTimes is a report's JSON without the figures of the machine.
func zeroTimes(t *testing.T, rep *orrery.Report) string {
	t.Helper()
	c := *rep
	c.Wall, c.CPU = 0, 0
	var b bytes.Buffer
	if err := c.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReportsAreDeterministic: the same run gives the same report whatever
// the parallelism and GOMAXPROCS, and an assertion's details are those of
// the lowest failing seed.
func TestReportsAreDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, s := range []orrery.Simulation{drawer(), bank.Simulation(bank.Options{})} {
		t.Run(s.Name, func(t *testing.T) {
			opts := orrery.Options{Seeds: 40, Bugs: s.Bugs}
			var want string
			for _, p := range [][2]int{{1, 1}, {1, 4}, {4, 4}, {2, 8}} {
				runtime.GOMAXPROCS(p[0])
				opts.Parallel = p[1]
				got := zeroTimes(t, runOK(t, s, opts))
				if want == "" {
					want = got
				} else if got != want {
					t.Fatalf("GOMAXPROCS %d, Parallel %d: the report differs:\n%s\nwant\n%s", p[0], p[1], got, want)
				}
			}
		})
	}
	rep := runOK(t, drawer(), orrery.Options{Seeds: 40, Parallel: 4})
	lowest := runOK(t, drawer(), orrery.Options{Replay: []uint64{rep.Failures[0].Seed}})
	if got, want := rep.Asserts[0], lowest.Asserts[0]; got.Details != want.Details || got.Seed != rep.Failures[0].Seed {
		t.Errorf("details %q of seed %#x, want %q of the lowest failing seed %#x", got.Details, got.Seed, want.Details, rep.Failures[0].Seed)
	}
}

// TestReportSeedsAreHex: seeds are hex strings in the JSON report, and
// nothing else is read as one.
func TestReportSeedsAreHex(t *testing.T) {
	rep := runOK(t, drawer(), orrery.Options{Seeds: 4})
	var b bytes.Buffer
	rep.WriteJSON(&b)
	if !strings.Contains(b.String(), fmt.Sprintf(`"seed": "%#x"`, rep.Failures[0].Seed)) {
		t.Fatalf("the JSON report does not hold the seed in hex:\n%s", b.String())
	}
	for _, bad := range []string{`42`, `"42"`, `"0x"`, `"0x1_0"`, `"0b1"`, `null`} {
		in := strings.Replace(b.String(), fmt.Sprintf(`"%#x"`, rep.Failures[0].Seed), bad, 1)
		if _, err := orrery.ReadReport(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "hex string") {
			t.Errorf("seed %s: %v, want a refusal asking for a hex string", bad, err)
		}
	}
}

// shardReports runs counter in n shards of 6 seeds and writes each report
// to dir/k.json.
func shardReports(t *testing.T, dir string, n int) []*orrery.Report {
	var out []*orrery.Report
	for k := range n {
		rep := runOK(t, counter(), orrery.Options{Seeds: 6, Shard: orrery.Shard{Index: k, Count: n}})
		writeReport(t, filepath.Join(dir, fmt.Sprintf("%d.json", k+1)), rep)
		out = append(out, rep)
	}
	return out
}

func writeReport(t *testing.T, path string, rep *orrery.Report) {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readReports(t *testing.T, paths ...string) ([]*orrery.Report, error) {
	var out []*orrery.Report
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := orrery.ReadReport(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}

// TestMergeRefusesWhatIsNotOneRun: report merge refuses, in one line
// naming the files, reports that are not disjoint shards of one run, and
// files that are not sound reports.
func TestMergeRefusesWhatIsNotOneRun(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	three := shardReports(t, dir, 3)
	two := runOK(t, counter(), orrery.Options{Seeds: 6, Shard: orrery.Shard{Count: 2}})
	writeReport(t, path("half.json"), two)
	writeReport(t, path("whole.json"), runOK(t, counter(), orrery.Options{Seeds: 6}))
	variant := func(name string, change func(r *orrery.Report)) {
		c := *three[1]
		change(&c)
		writeReport(t, path(name), &c)
	}
	variant("bugs.json", func(r *orrery.Report) { r.Bugs = []string{"boom"} })
	variant("swarm.json", func(r *orrery.Report) { r.Swarm = true })
	variant("count.json", func(r *orrery.Report) { r.Requested = 7 })
	variant("config.json", func(r *orrery.Report) { r.Config = "0123456789abcdef" })
	variant("negative.json", func(r *orrery.Report) { r.Seeds = -1 })
	data, _ := os.ReadFile(path("1.json"))
	os.WriteFile(path("garbage.json"), append(data, "}x"...), 0o644)
	os.WriteFile(path("again.json"), append(data, data...), 0o644)
	os.WriteFile(path("copy.json"), data, 0o644)
	for _, tt := range []struct {
		files []string
		want  string
	}{
		{[]string{"1.json", "copy.json"}, "1.json and DIR/copy.json both hold shard 1/3"},
		{[]string{"1.json", "whole.json"}, "1.json and DIR/whole.json overlap: DIR/whole.json covers every seed"},
		{[]string{"whole.json", "whole.json"}, "overlap: each covers every seed"},
		{[]string{"1.json", "half.json"}, "slice the run differently: shard 1/3 and shard 1/2"},
		{[]string{"1.json", "bugs.json"}, "1.json and DIR/bugs.json ran different planted bugs, none and boom"},
		{[]string{"1.json", "swarm.json"}, "differ in swarm: off and on"},
		{[]string{"1.json", "count.json"}, "asked for different seed counts, 6 and 7"},
		{[]string{"1.json", "config.json"}, "ran different simulation options"},
		{[]string{"negative.json"}, "DIR/negative.json: a report with a negative count"},
		{[]string{"garbage.json"}, "DIR/garbage.json: not an orrery report: data after the report's JSON"},
		{[]string{"again.json"}, "data after the report's JSON"},
	} {
		var args []string
		for _, f := range tt.files {
			args = append(args, path(f))
		}
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", append([]string{"report", "merge"}, args...), &stdout, &stderr)
		msg := strings.ReplaceAll(stderr.String(), dir, "DIR")
		if code != 2 || !strings.Contains(msg, tt.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("merge %v: exit %d, %q; want exit 2 and one line saying %q", tt.files, code, msg, tt.want)
		}
	}
}

// TestMergeUsesTheShards: a merge of some shards says which it holds, and
// merges on with the others into the whole run.
func TestMergeUsesTheShards(t *testing.T) {
	dir := t.TempDir()
	three := shardReports(t, dir, 3)
	some, err := orrery.MergeReports(three[0], three[2])
	if err != nil || some.Shard != "1,3/3" || some.Seeds != 4 {
		t.Fatalf("merge of shards 1 and 3: %v, shard %q, %d seeds", err, some.Shard, some.Seeds)
	}
	all, err := orrery.MergeReports(three[1], some)
	whole := runOK(t, counter(), orrery.Options{Seeds: 6})
	if err != nil || all.Shard != "" || all.Seeds != 6 || all.Events != whole.Events || all.SimTime != whole.SimTime {
		t.Fatalf("merge of all shards: %v, shard %q, %d seeds, %d events (whole run: %d)", err, all.Shard, all.Seeds, all.Events, whole.Events)
	}
	if _, err := orrery.MergeReports(some, three[0]); err == nil || !strings.Contains(err.Error(), "both hold shard 1/3") {
		t.Errorf("a merge and one of its shards: %v", err)
	}
	if _, err := readReports(t, filepath.Join(dir, "1.json")); err != nil {
		t.Errorf("a shard's report: %v", err)
	}
}

// TestReplayDoesNotJudgeCoverage: a Sometimes that never held fails a run
// of many seeds, saying that it was evaluated, but not the replay of one
// seed, which says nothing of the run's coverage, nor that it is ok.
func TestReplayDoesNotJudgeCoverage(t *testing.T) {
	s := orrery.Simulation{
		Name:      "rare",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error { return nil }}},
		Workloads: []orrery.Workload{{Name: "w", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				assert.Sometimes(e.Context(), false, "a rare path")
				return nil
			}}
		}}},
	}
	for _, tc := range []struct {
		name string
		opts orrery.Options
		ok   bool
		says string
	}{
		{"run", orrery.Options{Seeds: 3}, false, "never held in 3 seeds: 3 evaluations, its condition false in each"},
		{"replay", orrery.Options{Replay: []uint64{0x2a}}, true, "not hit a rare path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := orrery.Run(s, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			rep.WriteTable(&b)
			if rep.OK() != tc.ok || strings.Contains(b.String(), "never held") == tc.ok || !strings.Contains(b.String(), tc.says) {
				t.Errorf("OK() = %v, want %v, and the table to say %q:\n%s", rep.OK(), tc.ok, tc.says, b.String())
			}
		})
	}
}

// TestMissedNumericSaysHowNear: a numeric Sometimes that never held fails
// the run with its evaluation nearest to holding and the seed that came
// nearest, which, replayed, comes as near again.
func TestMissedNumericSaysHowNear(t *testing.T) {
	s := orrery.Simulation{
		Name:      "shallow",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error { return nil }}},
		Workloads: []orrery.Workload{{Name: "w", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				for range 3 {
					assert.SometimesGreaterThan(e.Context(), e.Rand().IntN(100), 100, "a deep queue")
				}
				return nil
			}}
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 20})
	if err != nil {
		t.Fatal(err)
	}
	missing := rep.Missing()
	if len(missing) != 1 || missing[0].Closest == "" || missing[0].Gap < 1 || missing[0].ClosestSeed == 0 {
		t.Fatalf("missing %+v: want the deep queue, its nearest evaluation and seed", missing)
	}
	m := missing[0]
	var b strings.Builder
	rep.WriteTable(&b)
	want := fmt.Sprintf("never held in 20 seeds: 60 evaluations, the nearest %s (seed %#x)", m.Closest, m.ClosestSeed)
	if !strings.Contains(b.String(), want) {
		t.Errorf("table does not say %q:\n%s", want, b.String())
	}
	again, err := orrery.Run(s, orrery.Options{Replay: []uint64{m.ClosestSeed}})
	if err != nil {
		t.Fatal(err)
	}
	if r := again.Asserts[0]; r.Closest != m.Closest || r.Gap != m.Gap {
		t.Errorf("replayed seed %#x: nearest %q (gap %v), want %q (gap %v)", m.ClosestSeed, r.Closest, r.Gap, m.Closest, m.Gap)
	}
}
