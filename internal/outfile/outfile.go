// Package outfile writes the files a run leaves behind (reports, traces)
// so that no reader ever sees half of one.
package outfile

import (
	"io"
	"os"
	"path/filepath"
)

// WriteAtomically writes a file through a temporary file renamed into
// place, so that no reader ever sees half of one.
func WriteAtomically(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".orrery-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return err
	}
	return os.Rename(tmp.Name(), name)
}
