//go:build amd64 || arm64

package sim

// prefetch asks the processor to start loading the cache line at p, which
// need not be mapped: it is a hint, that reads nothing Go can see and never
// faults. The loop uses it to load what the next wake-ups read while the
// current one runs, instead of waiting for each line in turn.
//
//go:noescape
func prefetch(p uintptr)

// prefetchLines is prefetch of the n cache lines from p on.
//
//go:noescape
func prefetchLines(p uintptr, n int)

// storeRelease stores v at p with release order: every store before it
// is visible to a goroutine that loads v from p (see World.beat).
//
//go:noescape
func storeRelease(p *uint64, v uint64)
