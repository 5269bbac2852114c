package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/orrerysim/orrery/trace/html"
)

// htmlCmd is "orrery trace html".
type htmlCmd struct {
	File  string `arg:"" help:"The JSON Lines trace; - reads the standard input."`
	Out   string `short:"o" required:"" placeholder:"PAGE" help:"Where to write the page (- for the standard output)."`
	Title string `help:"The page's title (default: the file name)."`
	Focus uint64 `placeholder:"SEQ" help:"The event selected when the page opens (default: the failure)."`
}

// Run writes the page. A file is written next to its destination and
// renamed into place, so a failed run never leaves half a page behind.
func (c *htmlCmd) Run(e *Env) error {
	f, err := e.open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	title := c.Title
	if title == "" {
		title = displayName(c.File)
	}
	opts := html.Options{Title: title, Focus: c.Focus}
	if c.Out == "-" {
		if err := html.Write(f, e.stdout, opts); err != nil {
			return fmt.Errorf("%s: %w", displayName(c.File), err)
		}
		return nil
	}
	return writeAtomically(c.Out, func(out *os.File) error {
		if err := html.Write(f, out, opts); err != nil {
			return fmt.Errorf("%s: %w", displayName(c.File), err)
		}
		return nil
	})
}

// writeAtomically writes path through a temporary file in the same
// directory, renamed over path only when write succeeded.
func writeAtomically(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp made it private
		return err
	}
	return os.Rename(tmp.Name(), path)
}
