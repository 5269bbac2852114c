package cli

import (
	"bytes"
	"io"
	"os"
	"regexp"
)

// wantColor decides --color: always, never, or auto, which colours a
// terminal unless NO_COLOR is set to anything (https://no-color.org).
func wantColor(mode string, w io.Writer, getenv func(string) string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return getenv("NO_COLOR") == "" && isTerminal(w)
}

// isTerminal reports whether w is a terminal: a pipe, a file or a buffer is
// not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ANSI escapes.
const (
	reset   = "\x1b[0m"
	bold    = "\x1b[1m"
	dim     = "\x1b[2m"
	red     = "\x1b[31m"
	green   = "\x1b[32m"
	yellow  = "\x1b[33m"
	magenta = "\x1b[35m"
	cyan    = "\x1b[36m"
)

// colorWriter colours whole lines written through it by what they hold,
// so that the trace library needs to know nothing about terminals. It
// holds back an incomplete line until its end is written or Flush.
type colorWriter struct {
	w    io.Writer
	line []byte // the start of a line without its newline yet
	out  []byte
}

func newColorWriter(w io.Writer) *colorWriter { return &colorWriter{w: w} }

// Write colours the complete lines of p and writes them.
func (c *colorWriter) Write(p []byte) (int, error) {
	n := len(p)
	c.out = c.out[:0]
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		line := p[:i]
		if len(c.line) > 0 {
			c.line = append(c.line, line...)
			line, c.line = c.line, c.line[:0]
		}
		c.out = append(colorLine(c.out, line), '\n')
		p = p[i+1:]
	}
	c.line = append(c.line, p...)
	if _, err := c.w.Write(c.out); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a last line that has no newline.
func (c *colorWriter) Flush() error {
	if len(c.line) == 0 {
		return nil
	}
	c.out = colorLine(c.out[:0], c.line)
	c.line = c.line[:0]
	_, err := c.w.Write(c.out)
	return err
}

// stamp finds the stamp of a record line ("t=1.234000s seq=47 rng=1203 ")
// after the prefix that why and diff put before records ("  * ", "- ").
var stamp = regexp.MustCompile(`^(.*?)(t=-?[0-9]+\.[0-9]+s seq=[0-9]+ rng=[0-9]+) `)

// infra matches the body of an infrastructure event.
var infra = regexp.MustCompile(`\} cause=[0-9]+ infra( |$)`)

// colorLine appends line to b with colours: a dim stamp; ERROR logs red,
// WARN yellow, faults magenta, infrastructure events cyan; the "-" and "+"
// of diff red and green; the headings of why and diff bold.
func colorLine(b, line []byte) []byte {
	m := stamp.FindSubmatchIndex(line)
	if m == nil {
		if len(line) > 0 && line[0] != ' ' {
			return paint(b, bold, line)
		}
		return append(b, line...)
	}
	prefix, body := line[:m[3]], line[m[1]:]
	b = paint(b, prefixColor(prefix), prefix)
	b = paint(b, dim, line[m[4]:m[5]])
	b = append(b, ' ')
	return paint(b, bodyColor(body), body)
}

func prefixColor(prefix []byte) string {
	switch {
	case bytes.HasPrefix(prefix, []byte("- ")):
		return red
	case bytes.HasPrefix(prefix, []byte("+ ")):
		return green
	}
	return ""
}

func bodyColor(body []byte) string {
	switch {
	case bytes.HasPrefix(body, []byte("ERROR")):
		return red
	case bytes.HasPrefix(body, []byte("WARN")):
		return yellow
	case bytes.HasPrefix(body, []byte("Fault{")):
		return magenta
	case infra.Match(body):
		return cyan
	}
	return ""
}

// paint appends s in colour, or as it is for no colour.
func paint(b []byte, color string, s []byte) []byte {
	if color == "" || len(s) == 0 {
		return append(b, s...)
	}
	b = append(b, color...)
	b = append(b, s...)
	return append(b, reset...)
}
