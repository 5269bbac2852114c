//go:build !race && (amd64 || arm64)

package sim

import "unsafe"

// beat tells the watchdog that the loop started a step, and publishes
// what it wrote before (the running task), for the watchdog to read once
// the beat stops. Only the loop writes the heartbeat, so it needs no
// atomic addition, which costs a locked instruction per step: a store with
// release order (storeRelease, in assembly) is enough. Go's compiler does
// not move the loop's stores past the call, and the processor makes them
// visible before the beat's; the watchdog's atomic Load of the beat is an
// acquire, so it then sees the running task the beat published. Under the
// race detector, which cannot see the assembly's order, beat is the
// atomic addition (beat_atomic.go).
func (w *World) beat() {
	p := (*uint64)(unsafe.Pointer(&w.heartbeat))
	storeRelease(p, *p+1)
}

// publishRunG records g as the running task's goroutine for callerSlow's
// check. Only the loop writes it, and the one goroutine that can find its
// own identity there is the running task's, which the loop's writes
// before the switch reached; any other reads another value or 0, whatever
// the order it sees the stores in. So a plain store, inlined, is enough on
// these 64-bit machines, where it cannot tear; the race detector, which
// cannot know this, sees the atomic store of beat_atomic.go.
func (w *World) publishRunG(g uintptr) {
	*(*uint64)(unsafe.Pointer(&w.runG)) = uint64(g)
}
