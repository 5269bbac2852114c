package sim

import (
	"context"
	"strings"
	"testing"
	"time"
)

// strayStarter is an event handler that starts a raw goroutine making a
// blocking call while no task runs, and waits for it to be caught.
type strayStarter struct {
	ctx  *context.Context
	w    *World
	done bool
}

func (s *strayStarter) HandleEvent(*Event) {
	ctx := *s.ctx
	go Sleep(ctx, time.Second) // the mistake under test
	for deadline := time.Now().Add(5 * time.Second); s.w.strays.Load() == nil && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.done = s.w.current == nil
}

func (s *strayStarter) DescribeEvent(*Event) (string, string) { return "stray", "" }

func TestStrayGoroutineWhileNoTaskRuns(t *testing.T) {
	w := New(Config{Seed: 1})
	var ctx context.Context
	w.Spawn("h/main", func(c context.Context) {
		ctx = c
		Sleep(c, 2*time.Second)
	})
	s := &strayStarter{ctx: &ctx, w: w}
	w.Schedule(time.Second, OpDataDelivery, 1, 0, s)
	err := w.Run()
	f, _ := err.(*Failure)
	if !s.done || f == nil || f.Kind != FailGoroutine || !strings.Contains(f.Message, "called sim.Sleep at sim/stray_internal_test.go:20 (its go statement)") {
		t.Fatalf("handler saw no task running: %v; Run = %v, want the stray goroutine's failure", s.done, err)
	}
	if f.At != time.Second {
		t.Errorf("failed at %v, want 1s, right after the handler", f.At)
	}
}

func TestGetgTellsGoroutinesApart(t *testing.T) {
	me := getg()
	if me == 0 || getg() != me {
		t.Fatalf("getg = %#x then %#x: want a stable identity", me, getg())
	}
	other := make(chan uintptr)
	go func() { other <- getg() }()
	if g := <-other; g == me || g == 0 {
		t.Errorf("another goroutine's getg = %#x, mine %#x", g, me)
	}
}
