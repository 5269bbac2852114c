// Package golden compares a test's output with a file under testdata, or
// rewrites the file when the test runs with -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Update reports whether the test runs with -update, for tests that
// rewrite files of their own beside those Check writes.
func Update() bool { return *update }

// Check compares got with the file at path (relative to the package's
// directory, e.g. testdata/x.golden) and reports a difference as an error.
// With -update it writes got to path instead, creating its directory.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (go test -update creates it)", err)
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func write(t testing.TB, path string, got []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("write golden file: %v", err)
		return
	}
	if err := os.WriteFile(path, got, 0o644); err != nil {
		t.Fatalf("write golden file: %v", err)
	}
}
