package sim

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

// TestPrefetchNeverFaults: the hints are given addresses that may be stale
// or unmapped (a finished task's stack, a handler that is not a task's),
// and must never fault nor change what they point to.
func TestPrefetchNeverFaults(t *testing.T) {
	buf := []byte{1, 2, 3}
	tests := []struct {
		name string
		p    uintptr
		n    int
	}{
		{"nil", 0, 4},
		{"unmapped", ^uintptr(0) &^ 0xffff, 16},
		{"below a live slice", uintptr(unsafe.Pointer(&buf[0])) - warmBelow, warmStack},
		{"no lines", 0, 0},
		{"negative count", 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefetch(tt.p)
			prefetchLines(tt.p, tt.n)
		})
	}
	if buf[0] != 1 || buf[1] != 2 || buf[2] != 3 {
		t.Errorf("prefetching changed memory: %v", buf)
	}
}

// TestWarmParkedTask warms a parked task of a run, as the loop does
// for the next event's task, while the run goes on.
func TestWarmParkedTask(t *testing.T) {
	w := New(Config{Seed: 1})
	sleeper := w.Spawn("sleeper", func(ctx context.Context) { Sleep(ctx, time.Second) })
	w.Spawn("warmer", func(ctx context.Context) {
		Yield(ctx)
		if sleeper.state != taskParked || sleeper.sp == 0 || sleeper.g == 0 {
			t.Errorf("sleeper: state %v, sp %#x, g %#x; want parked with both set", sleeper.state, sleeper.sp, sleeper.g)
		}
		warmTask(sleeper)
		warmCoro(sleeper)
		warmSwitch(sleeper)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
}

// TestBeatAdvancesHeartbeat: each beat changes the heartbeat the watchdog
// loads, by one, whichever way beat stores it.
func TestBeatAdvancesHeartbeat(t *testing.T) {
	w := New(Config{Seed: 1})
	for want := uint64(1); want <= 3; want++ {
		w.beat()
		if got := w.heartbeat.Load(); got != want {
			t.Fatalf("heartbeat after %d beats = %d", want, got)
		}
	}
}
