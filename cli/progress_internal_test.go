package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestProgressBar: the bar is made at the first seed with the run's total,
// says how many seeds failed, and is not drawn off a terminal.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf}
	p.add(1, 0, 3)
	p.add(2, 1, 3)
	p.add(3, 1, 3)
	p.finish()
	if p.bar == nil || p.bar.GetMax() != 3 || p.shown != 1 || !strings.Contains(buf.String(), "seeds") {
		t.Errorf("bar %v, failed shown %d, drawn %q", p.bar, p.shown, buf.String())
	}
	off := newProgress(&buf) // a buffer is no terminal
	off.add(1, 0, 1)
	off.finish()
	if off.bar != nil {
		t.Error("a bar was made off a terminal")
	}
}
