package orrery_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/internal/testsims"
)

// The runner's simulations, shared with the command line's tests.
var (
	counter  = testsims.Counter
	failing  = testsims.Failing
	mapOrder = testsims.MapOrder
	slow     = testsims.Slow
	stuck    = testsims.Stuck
)

// flaky is counter whose workload fails every other time it runs, by a
// counter outside the seed: the same seed fails, then passes.
func flaky() orrery.Simulation {
	var runs atomic.Int64
	s := counter()
	s.Name = "flaky"
	s.Workloads[0].Count = 1
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			if runs.Add(1)%2 == 1 {
				return errors.New("odd run")
			}
			return nil
		}}
	}
	s.Invariants = nil
	return s
}

// flakyMessage is counter whose workload fails in every run, with a
// message that counts the runs: the seed fails differently each time.
func flakyMessage() orrery.Simulation {
	var runs atomic.Int64
	s := flaky()
	s.Name = "flaky-message"
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			return fmt.Errorf("run %d", runs.Add(1))
		}}
	}
	return s
}

// seedFails is counter whose seeds fail when their first draw says so: a
// fixed set of failing seeds, a quarter of them.
func seedFails() orrery.Simulation {
	s := counter()
	s.Name = "quarter"
	s.Workloads[0].Count = 1
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			if e.Rand().IntN(4) == 0 {
				return errors.New("unlucky")
			}
			// Seeds take different real times, so that workers finish out of order.
			time.Sleep(time.Duration(e.Rand().IntN(3)) * time.Millisecond)
			return nil
		}}
	}
	s.Invariants = nil
	return s
}

// TestCheckDeterminismChecksFailingSeeds: a seed whose runs fail
// differently is a finding. When their traces differ, it gives both
// hashes; when they are the same up to the failure (a message that counts
// the runs), it says the runs ended differently, with both messages, and
// never gives one hash twice as if the two differed.
func TestCheckDeterminismChecksFailingSeeds(t *testing.T) {
	for _, tt := range []struct {
		sim  orrery.Simulation
		want []string
	}{
		{flaky(), []string{"two runs of the seed gave trace hashes", "the first failed at seq"}},
		{flakyMessage(), []string{"two runs of the seed ended differently: run 1 failed with: adder: run: run 1; run 2 failed with: adder: run: run 2 (same trace hash 0x",
			"likely culprit: the run phase of the workload on host adder failed with a different message in each run"}},
		{mapOrder(), []string{"two runs of the seed gave trace hashes", "likely culprit"}},
	} {
		t.Run(tt.sim.Name, func(t *testing.T) {
			rep, err := orrery.Run(tt.sim, orrery.Options{Seeds: 1, Parallel: 1, CheckDeterminism: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed != 1 || len(rep.Failures) != 1 {
				t.Fatalf("%d failed, failures %+v; want one nondeterminism finding", rep.Failed, rep.Failures)
			}
			f := rep.Failures[0]
			if f.Kind != "nondeterminism" || f.Seed != orrery.SeedAt(0) {
				t.Errorf("finding %s of seed %#x, want nondeterminism of %#x", f.Kind, f.Seed, orrery.SeedAt(0))
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Message, w) {
					t.Errorf("finding %s, want %q", f.Message, w)
				}
			}
			if a, b, ok := twoHashes(f.Message); ok && a == b {
				t.Errorf("finding gives trace hashes %s and %s as if they differed:\n%s", a, b, f.Message)
			}
		})
	}
}

// twoHashes returns the two trace hashes a finding says differ.
func twoHashes(msg string) (string, string, bool) {
	m := regexp.MustCompile(`trace hashes (0x[0-9a-f]+) and (0x[0-9a-f]+)`).FindStringSubmatch(msg)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// TestAFirstFailureThatDoesNotRepeatIsAFinding runs a seed that fails,
// then passes when run again to write its trace: a nondeterminism
// finding, with the summary and the report written, exit 1.
func TestAFirstFailureThatDoesNotRepeatIsAFinding(t *testing.T) {
	dir := t.TempDir()
	report, tr := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.jsonl")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "flaky", "--seeds", "1", "--report", report, "--trace", tr},
		&stdout, &stderr, flaky())
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	rep := readReport(t, report)
	if rep.Failed != 1 || rep.Failures[0].Kind != "nondeterminism" ||
		!strings.Contains(rep.Failures[0].Message, "the first run failed at seq") ||
		!strings.Contains(rep.Failures[0].Message, "the run again to trace it passed") {
		t.Errorf("report failures %+v, want a nondeterminism finding", rep.Failures)
	}
	if !strings.Contains(stdout.String(), "nondeterminism") || !strings.Contains(stdout.String(), "seeds       1 run, 1 failed") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	if _, err := os.Stat(tr); err != nil {
		t.Errorf("trace of the second run: %v", err)
	}
}

// readReport decodes a JSON report file, complete or not.
func readReport(t *testing.T, path string) *orrery.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep orrery.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

// TestFailFastStopsAtTheLowestFailingSeed checks that the report of a
// fail-fast run is the same whatever the parallelism: every seed up to the
// lowest failing one, and no other.
func TestFailFastStopsAtTheLowestFailingSeed(t *testing.T) {
	all, err := orrery.Run(seedFails(), orrery.Options{Seeds: 64})
	if err != nil {
		t.Fatal(err)
	}
	lowest := -1
	for i := range 64 {
		if failed(all, orrery.SeedAt(uint64(i))) {
			lowest = i
			break
		}
	}
	if lowest < 2 {
		t.Fatalf("lowest failing seed number %d: the test needs one past the first few", lowest)
	}
	for _, parallel := range []int{1, 3, 8, 8, 8} {
		rep, err := orrery.Run(seedFails(), orrery.Options{Seeds: 64, FailFast: true, Parallel: parallel})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Seeds != lowest+1 || rep.Failed != 1 || rep.Failures[0].Seed != orrery.SeedAt(uint64(lowest)) ||
			rep.Stopped != "fail-fast" {
			t.Errorf("parallel %d: %d seeds, %d failed (%+v), stopped %q; want %d seeds, seed number %d failed, stopped fail-fast",
				parallel, rep.Seeds, rep.Failed, rep.Failures, rep.Stopped, lowest+1, lowest)
		}
	}
}

func failed(rep *orrery.Report, seed uint64) bool {
	for _, f := range rep.Failures {
		if f.Seed == seed {
			return true
		}
	}
	return false
}

// TestRunsOfNoSeedAreErrors: a run that says nothing is never a pass.
func TestRunsOfNoSeedAreErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		sim  orrery.Simulation
		opts orrery.Options
		want string
	}{
		{"empty shard", counter(), orrery.Options{Seeds: 2, Shard: orrery.Shard{Index: 2, Count: 3}}, "shard 3/3: holds none of the 2 seeds"},
		{"budget of nothing", counter(), orrery.Options{Budget: time.Nanosecond}, "budget: 1ns ran no seed"},
		{"budget below a seed", slow(300 * time.Millisecond), orrery.Options{Budget: 50 * time.Millisecond, Parallel: 1},
			"budget: 50ms is below the time of one seed (the first took 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := orrery.Run(tt.sim, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestStopInterruptsARun closes Options.Stop during a run: the seeds that
// finished are in the report, which is marked interrupted and incomplete.
func TestStopInterruptsARun(t *testing.T) {
	stop := make(chan struct{})
	time.AfterFunc(100*time.Millisecond, func() { close(stop) })
	start := time.Now()
	// A long grace: a loaded machine (the race detector, parallel tests)
	// may take more than the default two seconds to finish a seed.
	rep, err := orrery.Run(slow(10*time.Millisecond), orrery.Options{Seeds: 100000, Parallel: 2, Stop: stop, StopGrace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != "interrupted" || rep.Complete || rep.Seeds == 0 || rep.Seeds > 100 || time.Since(start) > 30*time.Second {
		t.Errorf("stopped %q, complete %v, %d seeds after %v", rep.Stopped, rep.Complete, rep.Seeds, time.Since(start))
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := orrery.ReadReport(&buf); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("ReadReport of an interrupted run: %v, want it refused as incomplete", err)
	}
}

// TestStopAbandonsSeedsAfterTheGrace: a seed still running StopGrace
// after Stop is left out, and Run returns.
func TestStopAbandonsSeedsAfterTheGrace(t *testing.T) {
	stop := make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(stop) })
	start := time.Now()
	rep, err := orrery.Run(slow(3*time.Second), orrery.Options{Replay: []uint64{1}, Stop: stop, StopGrace: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second || rep.Seeds != 0 || rep.Stopped != "interrupted" {
		t.Errorf("returned after %v with %d seeds, stopped %q", took, rep.Seeds, rep.Stopped)
	}
}

// TestARunnerCrashIsRaisedInTheCaller: a panic of the runner's own code
// on a worker (here, the replay command it calls) comes back as a panic of
// Run, with the worker's stack, not as a crash of the process.
func TestARunnerCrashIsRaisedInTheCaller(t *testing.T) {
	defer func() {
		v := recover()
		s, ok := v.(interface{ Stack() []byte })
		if !ok || !strings.Contains(fmt.Sprint(v), "replay command broke") || !bytes.Contains(s.Stack(), []byte("runner).work")) {
			t.Fatalf("recovered %v", v)
		}
	}()
	orrery.Run(counter(), orrery.Options{Seeds: 4, Parallel: 2, ReplayCommand: func(uint64) string { panic("replay command broke") }})
	t.Fatal("Run returned")
}

// TestGoAPIReplayHintReproduces runs the Go statement printed for a
// failing seed of a swarm run with a planted bug: it names the seed, the
// bugs and swarm mode, and doing what it says fails the same way.
func TestGoAPIReplayHintReproduces(t *testing.T) {
	s := failing()
	s.Chaos.Swarm = true
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1, Bugs: []string{"boom"}})
	if err != nil || rep.Failed != 1 {
		t.Fatalf("%v, %+v", err, rep)
	}
	f := rep.Failures[0]
	want := fmt.Sprintf(`sim.Chaos.Swarm = true; orrery.Run(sim, orrery.Options{Replay: []uint64{%#x}, Bugs: []string{"boom"}})`, f.Seed)
	if f.Replay != want {
		t.Fatalf("replay hint\n %s\nwant\n %s", f.Replay, want)
	}
	again, err := orrery.Run(s, orrery.Options{Replay: []uint64{f.Seed}, Bugs: []string{"boom"}})
	if err != nil || again.Failed != 1 || again.Failures[0].Message != f.Message || again.Failures[0].Chaos != f.Chaos {
		t.Fatalf("the hint does not reproduce: %v, %+v", err, again.Failures)
	}
}

// TestWatchdogOption: Options.Watchdog is the real time a step may take.
func TestWatchdogOption(t *testing.T) {
	rep, err := orrery.Run(stuck(), orrery.Options{Seeds: 1, Watchdog: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || rep.Failures[0].Kind != "blocked" {
		t.Fatalf("failures %+v, want the seed blocked", rep.Failures)
	}
}

// TestTraceIsStreamed runs a failing seed of many events with --trace
// and checks that the heap stays well below the trace's size: the trace
// goes to its file as it is written, and its causal chain is read back
// from the file, capped.
func TestTraceIsStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a long seed")
	}
	path := filepath.Join(t.TempDir(), "long.jsonl")
	peak := watchHeap(t)
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "long", "--seeds", "1", "--trace", path}, &stdout, &stderr, long())
	high := peak()
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trace %d MB, heap peak %d MB", fi.Size()>>20, high>>20)
	if fi.Size() < 32<<20 || high > uint64(fi.Size())/4 {
		t.Errorf("trace of %d bytes, heap peak %d bytes: want a trace over 32 MB and a heap below a quarter of it", fi.Size(), high)
	}
	if !strings.Contains(stdout.String(), "older events of the chain left out") {
		t.Errorf("the explanation is not capped:\n%.2000s", stdout.String())
	}
}

// long is a simulation whose one workload waits 50,000 times on a timer,
// logging a long line each time, and then fails: a trace of some 60 MB
// with a long causal chain.
func long() orrery.Simulation {
	s := counter()
	s.Name = "long"
	s.Workloads[0].Count = 1
	line := strings.Repeat("x", 1000)
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			for range 50_000 {
				if err := e.Clock().Sleep(e.Context(), time.Millisecond); err != nil {
					return err
				}
				e.Log().Info("waited", "padding", line)
			}
			return errors.New("gave up")
		}}
	}
	s.MaxTime = 24 * time.Hour
	s.Invariants = nil
	return s
}

// watchHeap samples the heap, collected often, until the returned function is
// called, which returns the highest sample.
func watchHeap(t *testing.T) func() uint64 {
	old := debug.SetGCPercent(10) // the heap stays close to what is live
	runtime.GC()
	var high atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > high.Load() {
				high.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		debug.SetGCPercent(old)
		return high.Load()
	}
}

// TestAnAbandonedSeedStopsWritingTheTrace: once Run returns, a seed it
// abandoned writes nothing more into Options.Trace, which the caller may
// be closing.
func TestAnAbandonedSeedStopsWritingTheTrace(t *testing.T) {
	s := slow(0)
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			for range 100 {
				time.Sleep(5 * time.Millisecond) // real time: the seed is slow
				e.Log().Info("still here")
			}
			return nil
		}}
	}
	w := &countingWriter{}
	stop := make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(stop) })
	if _, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}, Trace: w, Stop: stop, StopGrace: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	after := w.bytes()
	time.Sleep(100 * time.Millisecond)
	if got := w.bytes(); after == 0 || got != after {
		t.Errorf("%d bytes of trace when Run returned, %d later; want some, and no more", after, got)
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct {
	mu sync.Mutex
	n  int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	return len(p), nil
}

func (w *countingWriter) bytes() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// A seed blocked outside the simulation stops the sweep in seed order, as
// FailFast does: every later seed would wait out the watchdog too, and a
// sweep of hostile code must end in about one watchdog limit, not one per
// seed.
func TestABlockedSeedStopsTheSweep(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		start := time.Now()
		rep, err := orrery.Run(stuck(), orrery.Options{Seeds: 50, Parallel: parallel, Watchdog: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stopped != "blocked" || rep.Seeds != 1 || rep.Failed != 1 || rep.Failures[0].Seed != orrery.SeedAt(0) {
			t.Errorf("parallel %d: stopped %q after %d seeds, failures %+v; want the first seed blocked and the sweep stopped",
				parallel, rep.Stopped, rep.Seeds, rep.Failures)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("parallel %d: took %v", parallel, took)
		}
	}
}
