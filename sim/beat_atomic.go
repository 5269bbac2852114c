//go:build race || (!amd64 && !arm64)

package sim

// beat tells the watchdog that the loop started a step, and publishes the
// running task to it (see beat_fast.go): an atomic addition, which the
// race detector sees as the release the watchdog's Load acquires.
func (w *World) beat() { w.heartbeat.Add(1) }

// publishRunG records g as the running task's goroutine for callerSlow's
// check (see beat_fast.go): an atomic store, which the race detector sees.
func (w *World) publishRunG(g uintptr) { w.runG.Store(uint64(g)) }
