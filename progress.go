package orrery

import "sync"

// progress counts a run's finished seeds for Options.Progress.
type progress struct {
	mu           sync.Mutex // workers report concurrently
	done, failed int        // seeds finished, and failed among them
	total        int
	report       func(done, failed, total int)
}

// add counts a finished seed, failed or not: one lock for both counts,
// so that the report never shows more failed seeds than finished ones.
func (p *progress) add(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	if p.report != nil {
		p.report(p.done, p.failed, p.total)
	}
}
