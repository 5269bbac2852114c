//go:build !amd64 && !arm64

package sim

// prefetch does nothing where the assembly hint is not written.
func prefetch(p uintptr) {}

// prefetchLines does nothing where the assembly hint is not written.
func prefetchLines(p uintptr, n int) {}
