package cputime_test

import (
	"runtime"
	"testing"

	"github.com/orrerysim/orrery/internal/cputime"
)

// TestProcessGrows: busy work moves the process's CPU time forward.
func TestProcessGrows(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		t.Skip("no CPU time here")
	}
	start := cputime.Process()
	for i := 0; i < 10_000_000 && cputime.Process() == start; i++ {
	}
	if got := cputime.Process(); got <= start {
		t.Errorf("CPU time did not grow: %v, then %v", start, got)
	}
}
