package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
)

// TestCommandLineRefusals: bad output paths, runs of no seed and bad log
// filters are one line on standard error and exit 2, before any seed
// runs (nothing on standard output).
func TestCommandLineRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, args, stderr string
		env                map[string]string
	}{
		{name: "report in a missing directory", args: "run counter --report /nonexistent/x.json",
			stderr: "orrery: --report /nonexistent/x.json: cannot create a file in /nonexistent: no such file or directory"},
		{name: "trace in a missing directory", args: "run failing --bug boom --trace /nonexistent/t.jsonl",
			stderr: "orrery: --trace /nonexistent/t.jsonl: cannot create a file in /nonexistent: no such file or directory"},
		{name: "report is a directory", args: "run counter --report " + dir, stderr: "orrery: --report DIR: is a directory"},
		{name: "replay trace is a directory", args: "replay counter --seed 1 --trace " + dir, stderr: "orrery: --trace DIR: is a directory"},
		{name: "merge output in a missing directory", args: "report merge " + os.DevNull + " -o /nonexistent/m.json",
			stderr: "orrery: --output /nonexistent/m.json: cannot create a file in /nonexistent: no such file or directory"},
		{name: "seeds 0", args: "run counter --seeds 0",
			stderr: "orrery: --seeds 0 runs no seed: leave it out for 100, or give --budget or --until-covered to stop the run"},
		{name: "negative seeds", args: "run counter --seeds=-3", stderr: "orrery: --seeds -3: want a number of seeds, 1 or more"},
		{name: "budget of nothing", args: "run counter --budget 1ns", stderr: "orrery: budget: 1ns ran no seed: give at least the time of a few seeds"},
		{name: "empty shard", args: "run counter --seeds 2 --shard 3/3", stderr: "orrery: shard 3/3: holds none of the 2 seeds: the run ran no seed"},
		{name: "bad --log", args: "replay counter --seed 1 --log bogus",
			stderr: `orrery: --log "bogus": trace level "bogus": want error, warn, info, debug or trace`},
		{name: "bad ORRERY_LOG", args: "replay counter --seed 1", env: map[string]string{"ORRERY_LOG": "bogus"},
			stderr: `orrery: ORRERY_LOG "bogus": trace level "bogus": want error, warn, info, debug or trace`},
		{name: "--log wins over a bad ORRERY_LOG", args: "replay counter --seed 1 --log loud", env: map[string]string{"ORRERY_LOG": "bogus"},
			stderr: `orrery: --log "loud": trace level "loud": want error, warn, info, debug or trace`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := cli.MainArgs("sims", strings.Fields(tt.args), &stdout, &stderr, counter(), failing())
			got := strings.ReplaceAll(stderr.String(), dir, "DIR")
			if code != 2 || got != tt.stderr+"\n" || stdout.Len() > 0 {
				t.Errorf("exit %d, stdout %q, stderr\n%s\nwant exit 2, no output and\n%s", code, stdout.String(), got, tt.stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the checks left %d files behind", len(entries))
	}
}

// TestTraceOfAPassingRunIsNotWritten: --trace with no failing seed
// writes no file (which trace show would refuse) and says so.
func TestTraceOfAPassingRunIsNotWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.jsonl")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "counter", "--seeds", "3", "--trace", path}, &stdout, &stderr, counter())
	if code != 0 || stderr.String() != "orrery: --trace "+path+": not written: no seed failed\n" {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("%d files written", len(entries))
	}
}

// TestFailFastFlag: the first failing seed in seed order stops the run.
func TestFailFastFlag(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "failing", "--bug", "boom", "--fail-fast", "--report", report}, &stdout, &stderr, failing())
	rep := readReport(t, report)
	if code != 1 || rep.Seeds != 1 || rep.Stopped != "fail-fast" || rep.Failures[0].Seed != orrery.SeedAt(0) {
		t.Errorf("exit %d, %d seeds, stopped %q, failures %+v", code, rep.Seeds, rep.Stopped, rep.Failures)
	}
}

// TestWriteFailureAfterTheRun: when the report cannot be written after
// the run (its directory went away), the summary is still printed, the
// error is one line on standard error and the exit code still says how
// the seeds went.
func TestWriteFailureAfterTheRun(t *testing.T) {
	for _, tt := range []struct {
		sim  orrery.Simulation
		args []string
		code int
	}{
		{counter(), nil, 0},
		{failing(), []string{"--bug", "boom"}, 1},
	} {
		t.Run(tt.sim.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "gone")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			s := removesOnce(tt.sim, dir)
			report := filepath.Join(dir, "r.json")
			args := append([]string{"run", s.Name, "--seeds", "2", "--report", report}, tt.args...)
			var stdout, stderr bytes.Buffer
			code := cli.MainArgs("sims", args, &stdout, &stderr, s)
			if code != tt.code || !strings.Contains(stdout.String(), "seeds       2 run") ||
				!strings.HasPrefix(stderr.String(), "orrery: --report "+report+": ") || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("exit %d (want %d), stdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
		})
	}
}

// removesOnce returns s with a workload that removes dir, once, when a
// seed starts: the directory of the output files is gone after the run.
func removesOnce(s orrery.Simulation, dir string) orrery.Simulation {
	var once sync.Once
	s.Workloads = append(s.Workloads, orrery.Workload{Name: "remover", New: func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(env.Env) error {
			once.Do(func() { os.RemoveAll(dir) })
			return nil
		}}
	}})
	return s
}

var slowsim struct {
	once sync.Once
	path string
	err  error
}

// buildSlowsim builds testdata/slowsim, a simulation binary whose seeds
// take real time, once per test binary.
func buildSlowsim(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("sends POSIX signals")
	}
	slowsim.once.Do(func() {
		dir, err := os.MkdirTemp("", "slowsim")
		if err != nil {
			slowsim.err = err
			return
		}
		slowsim.path = filepath.Join(dir, "slowsim")
		out, err := exec.Command("go", "build", "-o", slowsim.path, "./testdata/slowsim").CombinedOutput()
		if err != nil {
			slowsim.err = &buildError{err, out}
		}
	})
	if slowsim.err != nil {
		t.Fatal(slowsim.err)
	}
	return slowsim.path
}

// startSlowsim starts cmd, a slowsim command, and returns once a seed of
// it has started: by then it catches signals. A fixed pause is not enough
// on a loaded machine, where a signal sent too early kills the process.
func startSlowsim(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	cmd.Env = append(cmd.Env, "SLOWSIM_READY="+ready)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			return
		}
	}
	cmd.Process.Kill()
	t.Fatal("slowsim started no seed within a minute")
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// TestInterruptedRun sends SIGINT or SIGTERM to a run: it stops starting
// seeds, prints the summary of those that ran, writes the report marked
// incomplete, and exits 130 or 143.
func TestInterruptedRun(t *testing.T) {
	bin := buildSlowsim(t)
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
		line string
	}{
		{syscall.SIGINT, 130, "orrery: interrupted (SIGINT): stopped starting seeds; finishing the ones under way (again to quit at once)\n"},
		{syscall.SIGTERM, 143, "orrery: terminated (SIGTERM): stopped starting seeds; finishing the ones under way (again to quit at once)\n"},
	} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			report := filepath.Join(t.TempDir(), "r.json")
			cmd := exec.Command(bin, "run", "slow", "--seeds", "100000", "--parallel", "2", "--report", report)
			cmd.Env = os.Environ()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			startSlowsim(t, cmd)
			time.Sleep(200 * time.Millisecond) // a few seeds finish
			cmd.Process.Signal(tt.sig)
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tt.code || stderr.String() != tt.line {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "(stopped: interrupted)") {
				t.Errorf("summary:\n%s", stdout.String())
			}
			rep := readReport(t, report)
			if rep.Complete || rep.Stopped != "interrupted" || rep.Seeds == 0 {
				t.Errorf("report: complete %v, stopped %q, %d seeds", rep.Complete, rep.Stopped, rep.Seeds)
			}
		})
	}
}

// TestSecondSignalExitsAtOnce: a second SIGINT does not wait for the
// seeds under way.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	bin := buildSlowsim(t)
	cmd := exec.Command(bin, "run", "slow", "--seeds", "100")
	cmd.Env = append(os.Environ(), "SLOWSIM_SEED=8s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	startSlowsim(t, cmd)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(100 * time.Millisecond)
	second := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if took := time.Since(second); took > 4*time.Second || cmd.ProcessState.ExitCode() != 130 ||
		!strings.HasSuffix(stderr.String(), "orrery: interrupted (SIGINT) again: quitting at once\n") {
		t.Errorf("exit %d %v after the second signal; stderr:\n%s", cmd.ProcessState.ExitCode(), took, stderr.String())
	}
}

// TestWatchdogFlag: --watchdog is the real time a step may take, and the
// replay command of a seed it failed carries it, so that the replay fails
// the same way.
func TestWatchdogFlag(t *testing.T) {
	s := stuck()
	report := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "stuck", "--seeds", "1", "--watchdog", "50ms", "--report", report}, &stdout, &stderr, s)
	rep := readReport(t, report)
	if code != 1 || rep.Failed != 1 || rep.Failures[0].Kind != "blocked" {
		t.Fatalf("exit %d, failures %+v; stderr:\n%s", code, rep.Failures, stderr.String())
	}
	replay := strings.Fields(rep.Failures[0].Replay)
	if !strings.Contains(rep.Failures[0].Replay, " --watchdog 50ms") {
		t.Fatalf("replay command %q lacks the watchdog", rep.Failures[0].Replay)
	}
	again := filepath.Join(t.TempDir(), "again.json")
	code = cli.MainArgs("sims", append(replay[1:], "--log", "off", "--report", again), &stdout, &stderr, s)
	if r := readReport(t, again); code != 1 || r.Failed != 1 || r.Failures[0].Kind != "blocked" {
		t.Errorf("the replay: exit %d, failures %+v", code, r.Failures)
	}
}

// TestCheckDeterminismFlag: a nondeterministic seed found by
// --check-determinism is in the summary and the report, exit 1.
func TestCheckDeterminismFlag(t *testing.T) {
	report := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "map-order", "--seeds", "2", "--check-determinism", "--report", report}, &stdout, &stderr, mapOrder())
	rep := readReport(t, report)
	if code != 1 || rep.Failed == 0 || rep.Failures[0].Kind != "nondeterminism" || !strings.Contains(stdout.String(), "nondeterminism") {
		t.Errorf("exit %d, failures %+v; stdout:\n%s\nstderr:\n%s", code, rep.Failures, stdout.String(), stderr.String())
	}
}

// TestInterruptedReplayWritesNoPartialTrace: a replay interrupted before
// its seed finished writes no trace (it would stop anywhere) and says so.
func TestInterruptedReplayWritesNoPartialTrace(t *testing.T) {
	bin := buildSlowsim(t)
	path := filepath.Join(t.TempDir(), "t.jsonl")
	cmd := exec.Command(bin, "replay", "slow", "--seed", "1", "--log", "off", "--trace", path)
	cmd.Env = append(os.Environ(), "SLOWSIM_SEED=8s")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	startSlowsim(t, cmd)
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	want := "orrery: --trace " + path + ": not written: the run was interrupted before a seed finished\n"
	if cmd.ProcessState.ExitCode() != 130 || !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("exit %d; stderr:\n%s", cmd.ProcessState.ExitCode(), stderr.String())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) > 0 {
		t.Errorf("%d files left", len(entries))
	}
}
