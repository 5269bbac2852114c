package watchdog

import (
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// Watch calls stuck once, from its own goroutine, if the counter beat does
// not change for timeout while the watch is running, or for a quarter of
// timeout once hurry (which may be nil) reports that the cause of a hang is
// already known. It returns a function that ends the watch and waits for its
// goroutine.
func Watch(beat *atomic.Uint64, timeout time.Duration, hurry func() bool, stuck func()) (stop func()) {
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(timeout / 4)
		defer tick.Stop()
		last, still := beat.Load(), 0
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			if now := beat.Load(); now != last {
				last, still = now, 0
				continue
			}
			if still++; still >= 4 || (hurry != nil && hurry()) {
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
