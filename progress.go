package orrery

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is the progress bar of a run, drawn only on a terminal.
type progress struct {
	mu           sync.Mutex // workers report concurrently
	done, failed int        // seeds finished, and failed among them
	draw         func(done, failed int)
	bar          *progressbar.ProgressBar
	shown        int // the failed count the bar's description shows
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("seeds"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("seeds"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond), // redraw ten times a second, not per seed
	)
	p := &progress{bar: bar}
	p.draw = p.drawBar
	return p
}

// add counts a finished seed, failed or not: one lock for both counts,
// so that the bar never shows more failed seeds than finished ones.
func (p *progress) add(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	if p.draw != nil {
		p.draw(p.done, p.failed)
	}
}

// drawBar shows the counts on the terminal.
func (p *progress) drawBar(done, failed int) {
	if failed != p.shown {
		p.shown = failed
		p.bar.Describe(fmt.Sprintf("seeds (%d failed)", failed))
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
