package watchdog

import (
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// Watch calls stuck once, from its own goroutine, if the counter beat does
// not change for timeout while the watch is running, or for Soon(timeout)
// once hurry (which may be nil) reports that the cause of a hang is
// already known. It returns a function that ends the watch and waits for
// its goroutine.
func Watch(beat *atomic.Uint64, timeout time.Duration, hurry func() bool, stuck func()) (stop func()) {
	quit := make(chan struct{})
	finished := make(chan struct{})
	soon := Soon(timeout)
	go func() {
		defer close(finished)
		tick := time.NewTicker(max(min(timeout/4, HurryAfter/2), time.Millisecond))
		defer tick.Stop()
		last, since := beat.Load(), time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			if now := beat.Load(); now != last {
				last, since = now, time.Now()
				continue
			}
			if still := time.Since(since); still >= timeout || (still >= soon && hurry != nil && hurry()) {
				stuck()
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// HurryAfter is how long the beat stays still before Watch asks hurry
// whether the cause is known: far longer than a step of a simulation
// takes, and far shorter than the timeout, which a step that computes
// for long in real time needs.
const HurryAfter = time.Second

// Soon is how long the beat of a watch with timeout stays still before
// the watch asks whether the cause is known: a quarter of the timeout, or
// HurryAfter if that is shorter.
func Soon(timeout time.Duration) time.Duration { return min(timeout/4, HurryAfter) }

// Goroutines returns the stacks of all goroutines, one text per goroutine as
// runtime.Stack prints it ("goroutine 7 [chan receive]:" and its frames),
// the calling goroutine's first.
func Goroutines() []string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Split(strings.TrimRight(string(buf), "\n"), "\n\n")
}
