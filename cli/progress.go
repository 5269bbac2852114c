package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is the progress bar of a run, drawn only on a terminal. Its
// add is the run's Options.Progress, which the run calls one at a time.
type progress struct {
	w     io.Writer // a terminal, or nil: no bar
	bar   *progressbar.ProgressBar
	shown int // the failed count the bar's description shows
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{w: w}
}

// add shows the counts of a run, the bar made at the first seed.
func (p *progress) add(done, failed, total int) {
	if p.w == nil {
		return
	}
	if p.bar == nil {
		p.bar = newBar(p.w, total)
	}
	if failed != p.shown {
		p.shown = failed
		p.bar.Describe(fmt.Sprintf("seeds (%d failed)", failed))
	}
	_ = p.bar.Set(done)
}

func newBar(w io.Writer, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("seeds"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("seeds"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond), // redraw ten times a second, not per seed
	)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
