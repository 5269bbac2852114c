package orrerytest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/orrerytest"
)

// sleeper is a simulation whose one workload sleeps a random while, with
// a process that waits for the end.
func sleeper(name string) orrery.Simulation {
	return orrery.Simulation{
		Name: name,
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
			return e.Clock().Sleep(e.Context(), time.Hour)
		}}},
		Workloads: []orrery.Workload{{Name: "sleeper", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				return e.Clock().Sleep(e.Context(), time.Duration(1+e.Rand().IntN(1000))*time.Microsecond)
			}}
		}}},
	}
}

// readSeeds returns how many seeds the JSON report in file says ran.
func readSeeds(t *testing.T, file string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := orrery.ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Seeds
}

// TestEnvironmentDrivesTest: ORRERY_SEEDS sets how many seeds Test runs,
// and two tests of one run given one ORRERY_REPORT file write a file each,
// under their own names.
func TestEnvironmentDrivesTest(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ORRERY_SEEDS", "7")
	t.Setenv("ORRERY_REPORT", filepath.Join(dir, "report.json"))
	t.Run("a", func(t *testing.T) { orrerytest.Test(t, sleeper("a")) })
	t.Run("b", func(t *testing.T) { orrerytest.Test(t, sleeper("b")) })
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("reports written: %v, want one per test", files)
	}
	for _, f := range files {
		if n := readSeeds(t, f); n != 7 {
			t.Errorf("%s: %d seeds, want ORRERY_SEEDS=7", f, n)
		}
	}
	t.Setenv("ORRERY_REPORT", dir+"/")
	t.Run("c", func(t *testing.T) { orrerytest.Test(t, sleeper("c")) })
	if n := readSeeds(t, filepath.Join(dir, "orrerytest", "TestEnvironmentDrivesTest-c.json")); n != 7 {
		t.Errorf("report under the directory: %d seeds, want 7", n)
	}
}

// fatalRecorder is a testing.TB that keeps the message of Fatalf and stops
// the goroutine, as Fatalf does.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, a ...any) {
	r.fatal = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// TestBadEnvironmentFailsTheTest: a variable that does not parse fails the
// test, saying which and why, before any seed runs.
func TestBadEnvironmentFailsTheTest(t *testing.T) {
	t.Setenv("ORRERY_SEEDS", "lots")
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		orrerytest.Test(rec, sleeper("bad"))
	}()
	<-done
	if want := "orrery: ORRERY_SEEDS=lots: want a number of seeds, 1 or more"; rec.fatal != want {
		t.Errorf("Fatalf(%q), want %q", rec.fatal, want)
	}
}

// captureStderr returns what fn writes to os.Stderr.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stderr
	os.Stderr = f
	defer func() { os.Stderr = saved }()
	fn()
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLogShowsTheReplayedSeedsTrace: with ORRERY_LOG=trace, the replay of
// one seed prints its text trace on standard error; orrerytest resolves the
// variable, as the engine reads none.
func TestLogShowsTheReplayedSeedsTrace(t *testing.T) {
	t.Setenv("ORRERY_SEED", "1")
	t.Setenv("ORRERY_LOG", "trace")
	out := captureStderr(t, func() { orrerytest.Test(t, sleeper("log")) })
	if !strings.Contains(out, "seq=") || !strings.Contains(out, "Timer{") {
		t.Errorf("standard error shows no event trace:\n%s", out)
	}
}
