package orrery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/internal/testsims"
	"github.com/orrerysim/orrery/sim"
)

// withCheck is the counter simulation with one seed check.
func withCheck(check func(ctx context.Context) error) orrery.Simulation {
	s := testsims.Counter()
	s.SeedChecks = []orrery.SeedCheck{{Name: "whole", Check: check}}
	return s
}

// TestSeedCheckOutcome: a seed check's error fails the seed as a "check",
// ErrUnknown and a timed-out check leave it unknown (never passed, and
// not failed), a check that ignores its time limit is abandoned, and a
// panic fails the seed.
func TestSeedCheckOutcome(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	for _, tc := range []struct {
		name             string
		check            func(ctx context.Context) error
		failed, unknown  int
		message, summary string
	}{
		{"pass", func(context.Context) error { return nil }, 0, 0, "", "3 run, 0 failed (stopped"},
		{"fail", func(context.Context) error { return errors.New("lost write") }, 3, 0,
			"check whole: lost write", "after the simulation, which ended at t="},
		{"undecided", func(context.Context) error { return fmt.Errorf("too long: %w", orrery.ErrUnknown) }, 0, 3,
			"check whole: too long: the check could not decide", "UNKNOWN"},
		{"deadline", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, 0, 3,
			"check whole: the check could not decide: context deadline exceeded", "3 run, 0 failed, 3 unknown"},
		{"abandoned", func(context.Context) error { <-block; return nil }, 0, 3,
			"check whole: still running after the time limit of 50ms: the check could not decide", "give its checks more time"},
		{"panic", func(context.Context) error { panic("boom") }, 3, 0, "check whole: panic: boom", "FAIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := orrery.Run(withCheck(tc.check), orrery.Options{Seeds: 3, CheckTimeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed != tc.failed || rep.Unknown != tc.unknown || len(rep.Unknowns) != tc.unknown {
				t.Fatalf("failed %d, unknown %d (%d listed); want %d, %d", rep.Failed, rep.Unknown, len(rep.Unknowns), tc.failed, tc.unknown)
			}
			if rep.OK() != (tc.failed+tc.unknown == 0) {
				t.Errorf("OK() = %v with %d failed and %d unknown", rep.OK(), tc.failed, tc.unknown)
			}
			all := append(slices.Clone(rep.Failures), rep.Unknowns...)
			for _, f := range all {
				if f.Message != tc.message {
					t.Errorf("seed %#x: message %q, want %q", f.Seed, f.Message, tc.message)
				}
			}
			if tc.failed > 0 && rep.Failures[0].Kind != "check" {
				t.Errorf("kind %q, want check", rep.Failures[0].Kind)
			}
			if tc.name == "panic" && !strings.Contains(rep.Failures[0].Stack, "seedcheck_test.go") {
				t.Errorf("the stack of a check that panicked lacks it:\n%s", rep.Failures[0].Stack)
			}
			var b strings.Builder
			rep.WriteTable(&b)
			if !strings.Contains(b.String(), tc.summary) {
				t.Errorf("summary lacks %q:\n%s", tc.summary, b.String())
			}
			if hint := "artifacts: none kept: --artifacts DIR (Options.Artifacts) keeps"; tc.failed > 0 && !strings.Contains(b.String(), hint) {
				t.Errorf("summary lacks %q", hint)
			}
		})
	}
}

// TestSeedCheckSkipsFailedSeeds: a seed that failed in the simulation is
// not checked; a seed check reads what the processes published, and the
// values of the finished simulation.
func TestSeedCheckSkipsFailedSeeds(t *testing.T) {
	checked := 0
	s := testsims.Failing()
	s.SeedChecks = []orrery.SeedCheck{{Name: "count", Check: func(context.Context) error { checked++; return nil }}}
	if _, err := orrery.Run(s, orrery.Options{Seeds: 3, Parallel: 1, Bugs: []string{"boom"}}); err != nil {
		t.Fatal(err)
	}
	if checked != 0 {
		t.Errorf("%d failing seeds checked, want none", checked)
	}
	var counts []int
	s = withCheck(func(ctx context.Context) error {
		v, ok := orrery.Published(ctx, "count")
		if !ok {
			return errors.New("nothing published")
		}
		counts = append(counts, *v.(*int))
		return nil
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 2, Parallel: 1})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v, %+v", err, rep.Failures)
	}
	if !slices.Equal(counts, []int{15, 15}) {
		t.Errorf("published counts %v, want [15 15]", counts)
	}
}

// TestSeedCheckValidation: a seed check without a name or a function, and
// a negative time limit, are refused.
func TestSeedCheckValidation(t *testing.T) {
	s := testsims.Counter()
	s.SeedChecks = []orrery.SeedCheck{{Name: "nil"}}
	if _, err := orrery.Run(s, orrery.Options{Seeds: 1}); err == nil || !strings.Contains(err.Error(), "a seed check needs a Name and a Check") {
		t.Errorf("nil check: %v", err)
	}
	if _, err := orrery.Run(testsims.Counter(), orrery.Options{Seeds: 1, CheckTimeout: -1}); err == nil || !strings.Contains(err.Error(), "check timeout") {
		t.Errorf("negative timeout: %v", err)
	}
}

// TestUnknownSeedsInReports: unknown seeds survive the JSON report and a
// merge, and a report that lists fewer than it counts is refused.
func TestUnknownSeedsInReports(t *testing.T) {
	s := withCheck(func(context.Context) error { return orrery.ErrUnknown })
	var reps []*orrery.Report
	for i := range 2 {
		rep, err := orrery.Run(s, orrery.Options{Seeds: 4, Shard: orrery.Shard{Index: i, Count: 2}})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := rep.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, err := orrery.ReadReport(&b)
		if err != nil {
			t.Fatal(err)
		}
		if back.Unknown != 2 || len(back.Unknowns) != 2 {
			t.Fatalf("shard %d read back with %d unknown seeds (%d listed), want 2", i, back.Unknown, len(back.Unknowns))
		}
		reps = append(reps, back)
	}
	merged, err := orrery.MergeReports(reps...)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Unknown != 4 || len(merged.Unknowns) != 4 || merged.OK() {
		t.Errorf("merged: %d unknown, %d listed, OK %v", merged.Unknown, len(merged.Unknowns), merged.OK())
	}
	var b bytes.Buffer
	merged.Unknowns = merged.Unknowns[:3]
	merged.WriteJSON(&b)
	if _, err := orrery.ReadReport(&b); err == nil || !strings.Contains(err.Error(), "4 of 4 seeds unknown, 3 listed") {
		t.Errorf("inconsistent report read: %v", err)
	}
}

// TestArtifacts: each failing seed gets a directory named after it with
// its trace, its report entry and the files its checks attached; passing
// seeds get none, and the summary lists them.
func TestArtifacts(t *testing.T) {
	dir := t.TempDir()
	s := withCheck(func(ctx context.Context) error {
		orrery.AddArtifact(ctx, "page.html", func(w io.Writer) error {
			_, err := io.WriteString(w, "<html>history</html>")
			return err
		})
		return errors.New("not linearizable")
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 2, Artifacts: dir})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 2 {
		t.Fatalf("%d failed, want 2", rep.Failed)
	}
	for _, f := range rep.Failures {
		seedDir := filepath.Join(dir, fmt.Sprintf("%#x", f.Seed))
		want := []string{seedDir, "page.html", "trace.jsonl", "failure.json", "failure.txt"}
		if !slices.Equal(f.Artifacts, want) {
			t.Errorf("artifacts %q, want %q", f.Artifacts, want)
		}
		for _, name := range want[1:] {
			data, err := os.ReadFile(filepath.Join(seedDir, name))
			if err != nil || len(data) == 0 {
				t.Errorf("%s: %v (%d bytes)", name, err, len(data))
			}
		}
		entry, _ := os.ReadFile(filepath.Join(seedDir, "failure.txt"))
		if !strings.Contains(string(entry), "check whole: not linearizable") {
			t.Errorf("failure.txt:\n%s", entry)
		}
	}
	var b strings.Builder
	rep.WriteTable(&b)
	if !strings.Contains(b.String(), "artifacts: "+filepath.Join(dir, fmt.Sprintf("%#x", rep.Failures[0].Seed))+": page.html, trace.jsonl") {
		t.Errorf("summary lacks the artifacts:\n%s", b.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries in the artifacts directory, want 2", len(entries))
	}
}

// TestArtifactsDir: a run that passes writes nothing, and a
// directory that cannot be made is an error before any seed runs.
func TestArtifactsDir(t *testing.T) {
	dir := t.TempDir()
	rep, err := orrery.Run(testsims.Counter(), orrery.Options{Seeds: 2, Artifacts: dir})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a passing run wrote %d artifacts", len(entries))
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	ran := false
	s := withCheck(func(context.Context) error { ran = true; return nil })
	_, err = orrery.Run(s, orrery.Options{Seeds: 1, Artifacts: filepath.Join(file, "sub")})
	if err == nil || !strings.HasPrefix(err.Error(), "artifacts: ") || ran {
		t.Errorf("a file as the artifacts directory: %v (a seed ran: %v)", err, ran)
	}
}

// TestConfigCountsSeedChecks: the seed checks and the liveness bound are
// part of a report's fingerprint, so that reports of runs that differ in
// them are not taken for shards of one run.
func TestConfigCountsSeedChecks(t *testing.T) {
	live := testsims.Counter()
	live.Liveness = time.Second
	configs := map[string]bool{}
	for _, s := range []orrery.Simulation{testsims.Counter(), withCheck(func(context.Context) error { return nil }), live} {
		rep, err := orrery.Run(s, orrery.Options{Seeds: 1})
		if err != nil {
			t.Fatal(err)
		}
		configs[rep.Config] = true
	}
	if len(configs) != 3 {
		t.Errorf("%d fingerprints for three simulations: %v", len(configs), configs)
	}
}

// TestArtifactsFailFast: with FailFast, a seed after the first failing
// one that finishes once the limit is known leaves no artifacts: it is not
// in the report either. The first seed fails at once, the others 300 ms
// later, on four workers.
func TestArtifactsFailFast(t *testing.T) {
	dir := t.TempDir()
	s := withCheck(func(ctx context.Context) error {
		if sim.FromContext(ctx).Seed() != orrery.SeedAt(0) {
			time.Sleep(300 * time.Millisecond)
		}
		return errors.New("bad")
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 4, FailFast: true, Parallel: 4, Artifacts: dir})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if rep.Failed != 1 || len(entries) != 1 {
		t.Errorf("%d failed, %d artifact directories; want 1 and 1", rep.Failed, len(entries))
	}
}

// TestArtifactWriterPanics: an artifact whose writer panics is kept with
// the panic in it; the run goes on.
func TestArtifactWriterPanics(t *testing.T) {
	dir := t.TempDir()
	s := withCheck(func(ctx context.Context) error {
		orrery.AddArtifact(ctx, "page.html", func(w io.Writer) error {
			io.WriteString(w, "<html>")
			panic("boom")
		})
		return errors.New("bad")
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1, Artifacts: dir})
	if err != nil || rep.Failed != 1 {
		t.Fatalf("run: %v, %d failed", err, rep.Failed)
	}
	page, _ := os.ReadFile(filepath.Join(rep.Failures[0].Artifacts[0], "page.html"))
	if want := "<html>\n(writing page.html failed: panic: boom)\n"; string(page) != want {
		t.Errorf("page %q, want %q", page, want)
	}
}

// TestSeedCheckOncePerDeterminismPair: with CheckDeterminism, a seed's
// checks run after its first run only, and a seed whose check fails is
// reported as the check's failure, not as a nondeterminism finding.
func TestSeedCheckOncePerDeterminismPair(t *testing.T) {
	var calls atomic.Int32
	s := withCheck(func(context.Context) error { calls.Add(1); return errors.New("lost write") })
	rep, err := orrery.Run(s, orrery.Options{Seeds: 3, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("checks ran %d times for 3 seeds, want 3", n)
	}
	if rep.Failed != 3 {
		t.Fatalf("failed %d, want 3", rep.Failed)
	}
	for _, f := range rep.Failures {
		if f.Kind != "check" {
			t.Errorf("seed %#x: kind %q (%s), want check", f.Seed, f.Kind, f.Message)
		}
	}
}

// TestWhyReadsTheKeptTrace: with the artifacts kept, a failure's why
// command reads the trace kept for the seed, which is there already, and
// its replay command writes none.
func TestWhyReadsTheKeptTrace(t *testing.T) {
	dir := t.TempDir()
	s := orrery.Simulation{
		Name:      "broken",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error { return nil }}},
		Workloads: []orrery.Workload{{Name: "w", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				e.Clock().Sleep(e.Context(), time.Millisecond)
				orrery.Publish(e.Context(), "broken", true)
				return e.Clock().Sleep(e.Context(), time.Millisecond)
			}}
		}}},
		Invariants: []orrery.Invariant{{Name: "whole", Check: func(s *orrery.State) error {
			if _, broken := s.Get("broken"); broken {
				return errors.New("broken")
			}
			return nil
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1, Artifacts: dir})
	if err != nil || rep.Failed != 1 {
		t.Fatalf("%v, %d failed", err, rep.Failed)
	}
	f := rep.Failures[0]
	kept := filepath.Join(dir, fmt.Sprintf("%#x", f.Seed), "trace.jsonl")
	if _, err := os.Stat(kept); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ replay, why string }{
		{f.Replay, fmt.Sprintf("orrery trace why %s %d", kept, f.Seq)},
		{"sims replay broken --seed 0x1", fmt.Sprintf("sims trace why %s %d", kept, f.Seq)},
	} {
		rep.Failures[0].Replay = tc.replay
		var b strings.Builder
		rep.WriteTable(&b)
		for _, want := range []string{"replay: " + tc.replay + "\n", "why: " + tc.why + "\n"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("the table does not say %q:\n%s", want, b.String())
			}
		}
	}
}
