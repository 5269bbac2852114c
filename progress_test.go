package orrery

import (
	"sync"
	"testing"
)

// TestProgressNeverShowsMoreFailedThanDone: workers count finished and
// failed seeds concurrently; every drawing has failed <= done.
func TestProgressNeverShowsMoreFailedThanDone(t *testing.T) {
	var bad, draws int
	p := &progress{total: 8000}
	p.report = func(done, failed, total int) {
		draws++ // under p.mu
		if failed > done {
			bad++
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 1000 {
				p.add(i%2 == 0)
			}
		})
	}
	wg.Wait()
	if bad > 0 || draws != 8000 || p.done != 8000 || p.failed != 4000 {
		t.Fatalf("%d of %d drawings showed more failed than done; counts %d done, %d failed", bad, draws, p.done, p.failed)
	}
}
