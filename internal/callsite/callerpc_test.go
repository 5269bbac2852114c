package callsite

import (
	"runtime"
	"strings"
	"testing"
)

// pair returns CallerPC's and PC's answers for the same skip, asked from
// the same frame: above the frame itself (skip >= 1) they must agree.
type pair func(skip int) (fast, slow uintptr)

//go:noinline
func notInlined(skip int) (uintptr, uintptr) { return CallerPC(skip), PC(skip) }

// inlined is small enough to be inlined into each of its callers.
func inlined(skip int) (uintptr, uintptr) { return CallerPC(skip), PC(skip) }

//go:noinline
func throughInlined(skip int) (uintptr, uintptr) { return inlined(skip + 1) }

//go:noinline
func deeper(f pair, skip int) (uintptr, uintptr) { return f(skip) }

//go:noinline
func outerA(f pair, skip int) (uintptr, uintptr) { return deeper(f, skip) }

//go:noinline
func outerB(f pair, skip int) (uintptr, uintptr) { return deeper(f, skip) }

// TestCallerPCAsPC asks CallerPC and PC the same question from chains of
// calls that differ above the asking frame (outerA or outerB), with the
// asking function inlined or not, twice each (a lookup in the table, then
// a hit): the answers are equal.
func TestCallerPCAsPC(t *testing.T) {
	askers := map[string]pair{
		"not inlined":     notInlined,
		"inlined":         func(skip int) (uintptr, uintptr) { return inlined(skip) },
		"through inlined": throughInlined,
	}
	for name, ask := range askers {
		for skip := 1; skip <= 4; skip++ {
			for round := range 2 {
				for _, outer := range []func(pair, int) (uintptr, uintptr){outerA, outerB} {
					fast, slow := outer(ask, skip)
					if fast != slow || fast == 0 {
						t.Errorf("%s, skip %d, round %d: CallerPC %s, PC %s", name, skip, round, describe(fast), describe(slow))
					}
				}
			}
		}
	}
}

// TestCallerPCChainsDiffer: the same asking frame, reached from outerA and
// from outerB, answers for each its own caller.
func TestCallerPCChainsDiffer(t *testing.T) {
	for range 2 {
		a, _ := outerA(notInlined, 2)
		b, _ := outerB(notInlined, 2)
		if !strings.HasSuffix(funcName(a), ".outerA") || !strings.HasSuffix(funcName(b), ".outerB") {
			t.Fatalf("skip 2 answered %s and %s, want outerA and outerB", describe(a), describe(b))
		}
	}
}

// TestCallerPCOwnFrame: skip 0 is the caller's own frame, as for PC.
func TestCallerPCOwnFrame(t *testing.T) {
	if got := funcName(CallerPC(0)); !strings.HasSuffix(got, ".TestCallerPCOwnFrame") {
		t.Fatalf("CallerPC(0) is in %s", got)
	}
}

// TestCallerPCBeyondTheStack: a skip past the top of the stack is 0, as PC
// gives, and a skip beyond the table's depth is PC's answer.
func TestCallerPCBeyondTheStack(t *testing.T) {
	if got := CallerPC(maxChainSkip + 3); got != PC(maxChainSkip+3) {
		t.Errorf("skip %d: %s, want %s", maxChainSkip+3, describe(got), describe(PC(maxChainSkip+3)))
	}
	done := make(chan [2]uintptr)
	go func() { done <- [2]uintptr{CallerPC(maxChainSkip), PC(maxChainSkip)} }()
	if got := <-done; got[0] != got[1] {
		t.Errorf("skip %d on a shallow stack: %s, want %s", maxChainSkip, describe(got[0]), describe(got[1]))
	}
}

func funcName(pc uintptr) string {
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	return frame.Function
}

func describe(pc uintptr) string {
	frame, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	return frame.Function + " " + Location(pc)
}

func BenchmarkCallerPC(b *testing.B) {
	for b.Loop() {
		outerA(notInlined, 3)
	}
}
