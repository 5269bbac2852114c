package watchdog

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestWatch(t *testing.T) {
	tests := []struct {
		name      string
		beating   bool
		wantStuck bool
	}{
		{"static beat is stuck", false, true},
		{"changing beat is not", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var beat atomic.Uint64
			var stuck atomic.Bool
			stop := Watch(&beat, 200*time.Millisecond, nil, func() { stuck.Store(true) })
			for range 80 {
				if tt.beating {
					beat.Add(1)
				}
				time.Sleep(5 * time.Millisecond)
			}
			stop()
			if stuck.Load() != tt.wantStuck {
				t.Errorf("stuck = %v, want %v", stuck.Load(), tt.wantStuck)
			}
		})
	}
}

func parkHere(ch chan int) { <-ch }

func TestGoroutines(t *testing.T) {
	ch := make(chan int)
	go parkHere(ch)
	defer close(ch)
	for range 100 {
		gs := Goroutines()
		if !strings.Contains(gs[0], "watchdog.TestGoroutines(") {
			t.Fatalf("the first goroutine is not the caller's:\n%s", gs[0])
		}
		for _, g := range gs {
			if strings.Contains(g, "watchdog.parkHere(") {
				if !strings.HasPrefix(g, "goroutine ") || !strings.Contains(g, "[chan receive") {
					t.Errorf("stack of the parked goroutine:\n%s", g)
				}
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Error("the parked goroutine was not found")
}
