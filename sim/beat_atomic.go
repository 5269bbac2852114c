//go:build race || (!amd64 && !arm64)

package sim

// beat tells the watchdog that the loop started a step, and publishes the
// running task to it (see beat_fast.go): an atomic addition, which the
// race detector sees as the release the watchdog's Load acquires.
func (w *World) beat() { w.heartbeat.Add(1) }
