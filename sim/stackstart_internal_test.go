package sim

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"unsafe"
)

// deepPad is a frame that a 2 KiB stack, below a task's first frames,
// cannot hold and a 4 KiB one can (with the race detector's larger guard
// too).
const deepPad = 1200

// movesStack reports whether calling a function with a frame of deepPad
// bytes moved the calling goroutine's stack.
//
//go:noinline
func movesStack() bool {
	var mark byte
	at := uintptr(unsafe.Pointer(&mark))
	deepFrame()
	return uintptr(unsafe.Pointer(&mark)) != at
}

//go:noinline
func deepFrame() {
	var pad [deepPad]byte
	touchDeep(&pad)
}

//go:noinline
func touchDeep(p *[deepPad]byte) { p[0] = 1 }

// skipUnlessSmallStacks skips a test where a task's stack, not grown at
// its start, holds deepPad without growing (as with the race detector,
// whose coroutines' stacks have grown before their first task).
//
// It also turns the garbage collector off until the test ends: a
// collection may shrink a grown stack back to 2 KiB, which then moves
// again when it grows.
func skipUnlessSmallStacks(t *testing.T) {
	runtime.GC()
	gc := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(gc) })
	setStackStart(t, 0)
	if !runTasks(t, 1, movesStack)[0] {
		t.Skip("a task's stack holds a frame of deepPad bytes without growing")
	}
}

// setStackStart sets the tokens of stack growth, and restores them when
// the test ends.
func setStackStart(t *testing.T, tokens int32) {
	old := stackStart.tokens.Load()
	t.Cleanup(func() { stackStart.tokens.Store(old) })
	stackStart.tokens.Store(tokens)
}

// runTasks runs n tasks alive at once (so that each has a goroutine of
// its own), each calling fn, and returns what fn returned.
func runTasks(t *testing.T, n int, fn func() bool) []bool {
	t.Helper()
	w := New(Config{Seed: 1})
	got := make([]bool, n)
	for i := range n {
		w.Spawn("t", func(ctx context.Context) {
			got[i] = fn()
			Yield(ctx) // keeps the next ones from taking this coroutine
		})
	}
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return got
}

// count returns how many of bs are true.
func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// TestStackStart: new coroutines start with their stacks grown while
// tokens last, and with the runtime's 2 KiB (as probes) when there are
// none left.
func TestStackStart(t *testing.T) {
	skipUnlessSmallStacks(t)
	tests := []struct {
		name      string
		tokens    int32
		tasks     int
		wantMoved int
	}{
		{"tokens for all", maxStackTokens, 3, 0},
		{"no token", 0, 1, 1},
		{"a burst beyond the tokens", 5, 12, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setStackStart(t, tt.tokens)
			if got := count(runTasks(t, tt.tasks, movesStack)); got != tt.wantMoved {
				t.Errorf("%d stacks of %d moved, want %d", got, tt.tasks, tt.wantMoved)
			}
		})
	}
}

// TestStackStartAdapts: coroutines whose stacks grow turn growing at the
// start on, and coroutines whose stacks stay small turn it off again.
func TestStackStartAdapts(t *testing.T) {
	skipUnlessSmallStacks(t)
	setStackStart(t, 0)
	runTasks(t, 4, movesStack)
	if n := stackStart.tokens.Load(); n != 4*probeEvery {
		t.Fatalf("after 4 probes grew: %d tokens, want %d", n, 4*probeEvery)
	}
	if moved := count(runTasks(t, probeEvery, movesStack)); moved != 0 {
		t.Errorf("after growing stacks, %d new stacks of %d moved, want none", moved, probeEvery)
	}
	stackStart.tokens.Store(0)
	runTasks(t, 2*maxStackTokens, movesStack)
	if n := stackStart.tokens.Load(); n != maxStackTokens {
		t.Errorf("after many probes grew: %d tokens, want the most, %d", n, maxStackTokens)
	}
	runTasks(t, maxStackTokens/probeEvery+maxStackTokens, func() bool { return false })
	if n := stackStart.tokens.Load(); n != 0 {
		t.Fatalf("after small stacks: %d tokens, want none", n)
	}
	if m := runTasks(t, 1, movesStack); !m[0] {
		t.Errorf("after small stacks, a new one did not move")
	}
}
