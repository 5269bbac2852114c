package cli_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
	counterex "github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/internal/testsims"
)

// TestShrinkCommand: orrery shrink prints the faults a failing seed needs
// and a replay command with --faults, which replay runs to the same
// failure and whose trace shows the suppressed faults.
func TestShrinkCommand(t *testing.T) {
	run := func(args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", args, &stdout, &stderr, counterex.Simulation())
		return stdout.String() + stderr.String(), code
	}
	out, code := run("shrink", "counter", "--seed", "0x1d0b14e4db018fed", "--bug", counterex.BugOptimisticWrite)
	if code != 0 {
		t.Fatalf("shrink: exit %d: %s", code, out)
	}
	for _, want := range []string{" faults to 1 in ", "  Reboot:store#1  Reboot of store at t=3.642336s: kind=graceful",
		"replay: orrery replay counter --seed 0x1d0b14e4db018fed --bug optimistic-write --faults Reboot:store#1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("shrink output lacks %q:\n%s", want, out)
		}
	}
	out, code = run("replay", "counter", "--seed", "0x1d0b14e4db018fed", "--bug", counterex.BugOptimisticWrite, "--faults", "Reboot:store#1", "--log", "warn")
	if code == 0 || !strings.Contains(out, "the store holds 8, but a client read 12") {
		t.Errorf("replay --faults Reboot:store#1: exit %d, want the failure:\n%s", code, out)
	}
	if !strings.Contains(out, "fault=Reboot:store#1\n") || !strings.Contains(out, "fault=PartialWrite:10.0.0.3->10.0.1.2#1 suppressed=true") {
		t.Errorf("replay --faults Reboot:store#1: the trace does not show the reboot kept and a partial write suppressed:\n%s", out)
	}
	if out, code = run("replay", "counter", "--seed", "1", "--faults", "x"); code == 0 || !strings.Contains(out, "--faults") {
		t.Errorf("replay --faults x: exit %d, want an error naming --faults:\n%s", code, out)
	}
	if out, code = run("shrink", "counter", "--seed", "1"); code == 0 || !strings.Contains(out, "does not fail") {
		t.Errorf("shrink of a passing seed: exit %d, want an error:\n%s", code, out)
	}
}

// TestRunShrinksTheFirstFailure: run shrinks its first failing seed's
// faults and prints them with their replay command, unless --shrink 0.
func TestRunShrinksTheFirstFailure(t *testing.T) {
	for _, tc := range []struct {
		shrink string
		want   bool
	}{{"10s", true}, {"0", false}} {
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", []string{"run", "wal", "--bug", wal.BugAckBeforeSync, "--seeds", "20", "--shrink", tc.shrink},
			&stdout, &stderr, wal.Simulation())
		out := stdout.String()
		if code != 1 {
			t.Fatalf("--shrink %s: exit %d, want 1: %s%s", tc.shrink, code, out, stderr.String())
		}
		got := strings.Contains(out, "the faults seed ") && strings.Contains(out, " --faults ")
		if got != tc.want {
			t.Errorf("--shrink %s: shrunk %v, want %v:\n%s", tc.shrink, got, tc.want, out)
		}
	}
}

// TestRunDoesNotShrinkABlockedSeed: a seed that blocked outside the
// simulation is not shrunk: each of its runs would wait out the watchdog
// again.
func TestRunDoesNotShrinkABlockedSeed(t *testing.T) {
	start := time.Now()
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "stuck", "--seeds", "1", "--watchdog", "1s"}, &stdout, &stderr, testsims.Stuck())
	// Two runs wait out the watchdog: the sweep's and the traced one of
	// the first failure; shrinking would add two more.
	if took := time.Since(start); code != 1 || took > 3700*time.Millisecond {
		t.Errorf("exit %d after %v, want 1 after two waits of the watchdog's 1s:\n%s%s", code, took, stdout.String(), stderr.String())
	}
}

// gated is a simulation whose walker fails past three rare gates, which the
// explorer climbs on timelines and random seeds hardly ever pass, while
// attrition crashes an idle process: faults the failure does not need.
func gated() orrery.Simulation {
	return orrery.Simulation{
		Name: "gated",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
			return e.Clock().Sleep(e.Context(), time.Hour)
		}}},
		Workloads: []orrery.Workload{{Name: "walker", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: walk}
		}}},
		Chaos: chaos.Config{Duration: 2 * time.Second,
			Attrition: chaos.Attrition{MaxDead: 1, Crash: 1, MinInterval: 100 * time.Millisecond, MaxInterval: 300 * time.Millisecond}},
	}
}

// walk takes 200 steps, each passing the next gate with p=0.001.
func walk(e env.Env) error {
	ctx, gates := e.Context(), 0
	for range 200 {
		if err := e.Clock().Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
		if e.Rand().IntN(1000) != 0 {
			continue
		}
		switch gates++; gates {
		case 1:
			assert.Reachable(ctx, "the first gate")
		case 2:
			assert.Reachable(ctx, "the second gate")
		default:
			return errors.New("past the third gate")
		}
	}
	return nil
}

// TestExploreShrinksTheFailingTimeline: explore shrinks the faults of the
// failing timeline it reports, on that timeline, and shrink --timeline
// does as explore prints it.
func TestExploreShrinksTheFailingTimeline(t *testing.T) {
	run := func(args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", args, &stdout, &stderr, gated())
		return stdout.String() + stderr.String(), code
	}
	out, code := run("explore", "gated", "--energy", "2000", "--fail-fast", "--parallel", "1")
	_, shrunk, _ := strings.Cut(out, "\nseed ")
	seed, rest, _ := strings.Cut(shrunk, " on timeline ")
	tl, rest, _ := strings.Cut(rest, " ")
	if code != 1 || tl == "" || !strings.HasPrefix(rest, "fails without any of its ") {
		t.Fatalf("explore: exit %d, want the failing timeline's faults shrunk:\n%s", code, out)
	}
	out, code = run("shrink", "gated", "--seed", seed, "--timeline", tl)
	if want := "seed " + seed + " on timeline " + tl + ": walker: run: past the third gate\nshrunk from "; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("shrink --timeline: exit %d, want %q:\n%s", code, want, out)
	}
	if want := " --timeline " + tl + " --faults none\n"; !strings.HasSuffix(out, want) {
		t.Errorf("shrink --timeline: the replay command does not end in %q:\n%s", want, out)
	}
	out, code = run("replay", "gated", "--seed", seed, "--timeline", tl, "--faults", "none")
	if want := "replay: orrery replay gated --seed " + seed + " --timeline " + tl + " --faults none"; code != 1 || !strings.Contains(out, want) {
		t.Errorf("replay --timeline --faults: exit %d, want the failure replayed by %q:\n%s", code, want, out)
	}
	if out, code = run("shrink", "gated", "--seed", seed); code == 0 || !strings.Contains(out, "does not fail") {
		t.Errorf("shrink without the timeline: exit %d, want the seed to pass:\n%s", code, out)
	}
}
