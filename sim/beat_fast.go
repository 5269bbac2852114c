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
// check, with release order as beat does: only the loop writes it, so a
// plain store is enough, and a goroutine that loads its own identity from
// it is the running task's, which the loop's writes before the switch
// reached.
func (w *World) publishRunG(g uintptr) {
	storeRelease((*uint64)(unsafe.Pointer(&w.runG)), uint64(g))
}
