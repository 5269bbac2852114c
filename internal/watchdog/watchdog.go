package watchdog

import (
	"bytes"
	"runtime"
	"sync/atomic"
	"time"
)

// Watch calls stuck once, from its own goroutine, if the counter beat does
// not change for timeout while the watch is running. It returns a function
// that ends the watch and waits for its goroutine.
func Watch(beat *atomic.Uint64, timeout time.Duration, stuck func()) (stop func()) {
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
			if still++; still >= 4 {
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

// GoroutineStack returns the stack of the goroutine whose trace contains
// marker (a frame with a given argument value), from a dump of all
// goroutines, or "" if none does.
func GoroutineStack(marker string) string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for block := range bytes.SplitSeq(buf, []byte("\n\n")) {
		if bytes.Contains(block, []byte(marker)) {
			return string(block)
		}
	}
	return ""
}
