//go:build (!amd64 && !arm64) || orrery_portable_getg

package sim

import "runtime"

// getg returns the identity of the calling goroutine: its number, read
// from the header of its stack ("goroutine 7 [running]:"). This is the
// slow fallback of the architectures without an assembly getg (and of
// the build tag orrery_portable_getg, which tests it).
func getg() uintptr {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	var id uintptr
	for _, c := range buf[len("goroutine "):n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uintptr(c-'0')
	}
	return id
}
