package sim_test

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// goroutineID returns the calling goroutine's number, as runtime.Stack
// prints it.
func goroutineID() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf, _ = bytes.CutPrefix(buf, []byte("goroutine "))
	id, _ := strconv.Atoi(string(buf[:bytes.IndexByte(buf, ' ')]))
	return id
}

// sharedRun runs a World of n tasks that sleep for random times and
// returns its trace hash and the goroutines its tasks ran on.
func sharedRun(t *testing.T, p *sim.Coroutines, n int) (uint64, map[int]bool) {
	t.Helper()
	w := sim.New(sim.Config{Seed: 5})
	if p != nil {
		w.ShareCoroutines(p)
	}
	ran := make(map[int]bool)
	for i := range n {
		w.Spawn("sleeper", func(ctx context.Context) {
			ran[goroutineID()] = true
			sim.Sleep(ctx, time.Duration(w.Rand().Int64N(int64(time.Second)))+time.Duration(i))
			ran[goroutineID()] = true
		})
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w.TraceHash(), ran
}

// TestShareCoroutines: Worlds that share Coroutines run their tasks on
// the goroutines of the earlier ones' tasks, compute what they compute
// without, and leave no goroutine behind once it is closed.
func TestShareCoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	alone, _ := sharedRun(t, nil, 8)
	var p sim.Coroutines
	first, firstRan := sharedRun(t, &p, 8)
	second, secondRan := sharedRun(t, &p, 8)
	if first != alone || second != alone {
		t.Errorf("trace hashes %#x and %#x sharing goroutines, %#x alone", first, second, alone)
	}
	for g := range secondRan {
		if !firstRan[g] {
			t.Errorf("the second World ran a task on goroutine %d, not one of the first's %v", g, firstRan)
		}
	}
	if len(secondRan) != 8 {
		t.Errorf("the second World's 8 tasks ran on %d goroutines, want 8", len(secondRan))
	}
	p.Close()
	waitGoroutines(t, before)
	// After Close, a World ends its goroutines itself.
	sharedRun(t, &p, 3)
	waitGoroutines(t, before)
}

// TestShareCoroutinesBeyondIdle: the tasks of a World sharing Coroutines
// that finish while the World already keeps its own 256 idle goroutines
// leave theirs to the Coroutines, so that a later World of as many tasks
// starts none.
func TestShareCoroutinesBeyondIdle(t *testing.T) {
	const n = 1_000
	before := runtime.NumGoroutine()
	var p sim.Coroutines
	_, firstRan := sharedRun(t, &p, n)
	_, secondRan := sharedRun(t, &p, n)
	started := 0
	for g := range secondRan {
		if !firstRan[g] {
			started++
		}
	}
	if started > 0 || len(secondRan) != n {
		t.Errorf("the second World's %d tasks ran on %d goroutines, %d of them not the first's; want %d, none",
			n, len(secondRan), started, n)
	}
	p.Close()
	waitGoroutines(t, before)
}

// TestShareCoroutinesOfTornDownTasks: the tasks that a run's end does
// not wake (a server's read without a deadline, a sleep on a context that
// is not cancelled) end in its teardown, and a World that shares
// Coroutines leaves it their goroutines too: a second run of such tasks
// starts no goroutine. Before, each run ended them and the next started
// as many anew.
func TestShareCoroutinesOfTornDownTasks(t *testing.T) {
	const n = 300
	before := runtime.NumGoroutine()
	var p sim.Coroutines
	run := func() map[int]bool {
		w := sim.New(sim.Config{Seed: 5})
		w.ShareCoroutines(&p)
		ran := make(map[int]bool)
		for range n {
			w.SpawnDaemon("server", func(ctx context.Context) {
				ran[goroutineID()] = true
				// Still asleep when the run ends, and not woken by its end:
				// the teardown ends the task.
				sim.Sleep(context.WithoutCancel(ctx), time.Hour)
			})
		}
		w.Spawn("client", func(ctx context.Context) {
			ran[goroutineID()] = true
			sim.Sleep(ctx, time.Second)
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return ran
	}
	first, second := run(), run()
	started := 0
	for g := range second {
		if !first[g] {
			started++
		}
	}
	if started > 0 || len(second) != n+1 {
		t.Errorf("the second run's %d tasks ran on %d goroutines, %d of them not the first run's; want %d, none", n+1, len(second), started, n+1)
	}
	p.Close()
	waitGoroutines(t, before)
}
