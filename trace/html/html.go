package html

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	stdhtml "html"
	"io"
	"strings"

	"github.com/orrerysim/orrery/trace"
)

// The page is assembled from three embedded assets: the HTML skeleton with
// its placeholders, the style sheet and the script.
var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/page.css
	pageCSS string
	//go:embed assets/page.js
	pageJS string
)

// Options tunes Write. The zero value gives the defaults.
type Options struct {
	// Title is the page title; "" means "orrery trace".
	Title string
	// Focus is the seq of the event selected and highlighted when the page
	// opens; 0 means the failure: the last log record at level ERROR whose
	// message starts with trace.FailurePrefix (nothing if there is none).
	Focus uint64
}

func (o Options) title() string {
	if o.Title == "" {
		return "orrery trace"
	}
	return o.Title
}

// Write reads the JSON Lines trace r and writes to w one self-contained
// HTML page that shows it (see the package documentation). It reads the
// whole trace before writing anything, so a bad trace leaves w untouched;
// its errors wrap the trace package's (trace.ErrEmpty, trace.ErrNotTrace,
// ...), and a Focus seq with no record, trace.ErrNoSuchSeq.
//
// Memory and output grow with the trace, about 150 bytes per record: the
// page embeds every record in its text form.
func Write(r io.Reader, w io.Writer, opts Options) error {
	d := newData()
	if err := d.read(trace.NewReader(r), opts.Focus); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writePage(bw, d, opts); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("html: write: %w", err)
	}
	return nil
}

// writePage fills the placeholders of the skeleton: {{title}}, {{css}},
// {{meta}}, {{data}} and {{js}}.
func writePage(w *bufio.Writer, d *data, opts Options) error {
	parts := map[string]func(){
		"title": func() { w.WriteString(stdhtml.EscapeString(opts.title())) },
		"css":   func() { w.WriteString(pageCSS) },
		"js":    func() { w.WriteString(pageJS) },
		"meta":  func() { w.Write(d.meta(opts.title())) },
		"data":  func() { w.Write(d.records) },
	}
	rest := pageHTML
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			w.WriteString(rest)
			return nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return errors.New("page template: unclosed {{")
		}
		part, ok := parts[rest[i+2:i+j]]
		if !ok {
			return fmt.Errorf("page template: unknown placeholder %q", rest[i:i+j+2])
		}
		w.WriteString(rest[:i])
		part()
		rest = rest[i+j+2:]
	}
}
