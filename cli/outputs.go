package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/orrerysim/orrery"
)

// checkOutput makes sure that the file name can be written before any
// work starts: it is not a directory, and its directory exists and takes
// a new file (one is created there and removed).
func checkOutput(flag, name string) error {
	if name == "" {
		return nil
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s: is a directory", flag, name)
	}
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, ".orrery-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot create a file in %s: %w", flag, name, dir, pathCause(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// pathCause is the reason of a file error without the file name, which
// the message already gives.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// traceFile is where a run streams the trace of its replayed or first
// failing seed, record by record, so that no trace is held in memory: a
// temporary file beside its destination (--trace), renamed into place
// once whole, or, when the trace is only read to explain a failure, in
// the temporary directory, removed at the end.
type traceFile struct {
	dest   string // --trace, or ""
	f      *os.File
	w      *bufio.Writer
	n      int64 // bytes written
	failed bool  // the file is not a whole trace: writing failed, or the seed was abandoned
	kept   bool  // renamed to dest
}

func newTraceFile(dest string) (*traceFile, error) {
	dir := os.TempDir()
	if dest != "" {
		dir = filepath.Dir(dest)
	}
	f, err := os.CreateTemp(dir, ".orrery-trace-*")
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return &traceFile{dest: dest, f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// Write takes the records of the trace.
func (t *traceFile) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.n += int64(n)
	return n, err
}

// keep closes the trace and moves it to --trace when it holds one. With
// --trace and nothing traced, no file is written, and the error says why.
func (t *traceFile) keep(rep *orrery.Report, interrupted bool) error {
	err := t.w.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.failed = true
		return fmt.Errorf("trace: %w", err)
	}
	if interrupted && rep.Seeds == 0 {
		t.failed = true // the trace of an abandoned seed stops anywhere
	}
	if t.dest == "" {
		return nil
	}
	if t.n == 0 || t.failed {
		why := "no seed failed"
		switch {
		case interrupted && rep.Seeds == 0:
			why = "the run was interrupted before a seed finished"
		case interrupted && rep.Failed > 0:
			why = "the run was interrupted before its first failing seed was traced"
		}
		return fmt.Errorf("--trace %s: not written: %s", t.dest, why)
	}
	if err := os.Chmod(t.f.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		t.failed = true
		return fmt.Errorf("--trace %s: %w", t.dest, err)
	}
	if err := os.Rename(t.f.Name(), t.dest); err != nil {
		t.failed = true
		return fmt.Errorf("--trace %s: %w", t.dest, err)
	}
	t.kept = true
	return nil
}

// path is the file that holds the trace, or "" when there is none.
func (t *traceFile) path() string {
	switch {
	case t.failed || t.n == 0:
		return ""
	case t.kept:
		return t.dest
	}
	return t.f.Name()
}

// discard removes the temporary file unless it was kept.
func (t *traceFile) discard() {
	t.f.Close()
	if !t.kept {
		os.Remove(t.f.Name())
	}
}
