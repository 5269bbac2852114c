package sim

import (
	"context"
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
func skipUnlessSmallStacks(t *testing.T) {
	setStackStart(t, -stackScoreMax, 0)
	if !runTasks(t, 1, movesStack)[0] {
		t.Skip("a task's stack holds a frame of deepPad bytes without growing")
	}
}

// setStackStart sets the statistic of stack growth, and restores it when
// the test ends.
func setStackStart(t *testing.T, score int32, n uint32) {
	s, k := stackStart.score.Load(), stackStart.n.Load()
	t.Cleanup(func() { stackStart.score.Store(s); stackStart.n.Store(k) })
	stackStart.score.Store(score)
	stackStart.n.Store(n)
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

// TestStackStart: a new coroutine starts with its stack grown when the
// recent probes grew theirs, and with the runtime's 2 KiB when they did
// not or when it is a probe itself.
func TestStackStart(t *testing.T) {
	skipUnlessSmallStacks(t)
	tests := []struct {
		name      string
		score     int32
		n         uint32
		wantMoved bool
	}{
		{"probes grew", stackScoreMax, 0, false},
		{"probes grew, this one probes", stackScoreMax, probeEvery - 1, true},
		{"probes did not grow", -stackScoreMax, 0, true},
		{"no probe yet", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setStackStart(t, tt.score, tt.n)
			if got := runTasks(t, 1, movesStack)[0]; got != tt.wantMoved {
				t.Errorf("stack moved: %v, want %v", got, tt.wantMoved)
			}
		})
	}
}

// TestStackStartAdapts: coroutines whose stacks grow turn growing at the
// start on, and coroutines whose stacks stay small turn it off again.
func TestStackStartAdapts(t *testing.T) {
	skipUnlessSmallStacks(t)
	setStackStart(t, 0, 0)
	runTasks(t, 2*stackScoreMax, movesStack)
	if s := stackStart.score.Load(); s <= 0 {
		t.Fatalf("after growing stacks: score %d, want > 0", s)
	}
	moved := 0
	for _, m := range runTasks(t, probeEvery, movesStack) {
		if m {
			moved++
		}
	}
	if moved != 1 {
		t.Errorf("after growing stacks, %d new stacks of %d moved, want 1 (the probe)", moved, probeEvery)
	}
	runTasks(t, 4*stackScoreMax*probeEvery, func() bool { return false })
	if s := stackStart.score.Load(); s >= 0 {
		t.Fatalf("after small stacks: score %d, want < 0", s)
	}
	if m := runTasks(t, 1, movesStack); !m[0] {
		t.Errorf("after small stacks, a new one did not move")
	}
}
