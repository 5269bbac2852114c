//go:build (amd64 || arm64) && !orrery_portable_getg

package sim

// getg returns the identity of the calling goroutine: the address of its
// runtime descriptor, unique among live goroutines. It never leaves the
// process: nothing of a run depends on its value, only on comparing it.
//
//go:noescape
func getg() uintptr
