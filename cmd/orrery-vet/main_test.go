package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVettool builds orrery-vet and runs it as go vet does, through the
// -vettool protocol: the sample's escapes are reported in order, those of
// the kv package and its tests (a process, an invariant, the external test
// package) once each, although go vet analyzes kv's own files twice (in kv
// and in its test variant); the examples pass.
func TestVettool(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orrery-vet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build orrery-vet: %v\n%s", err, out)
	}
	tests := []struct {
		pkg     string
		fails   bool
		want    []string // substrings of the output, each once
		ordered bool     // want is in the output's order (packages are not)
	}{
		{"./vet/testdata/sample", true, []string{
			"sample.go:24:11: time.Now reads the wall clock",
			"sample.go:26:2: go statement starts a goroutine",
			"sample.go:30:3: range over a map visits entries in random order",
			"sample.go:36:15: os.ReadFile touches the real file system",
		}, true},
		{"./vet/testdata/kv", true, []string{
			"sim.go:16:2: range over a map",
			"sim_test.go:12:2: go statement starts a goroutine",
			"sim_test.go:19:2: range over a map",
			"sim_test.go:22:6: time.Now reads the wall clock",
			"ext_test.go:10:2: time.Sleep waits on the wall clock",
		}, false},
		{"./examples/...", false, nil, false},
	}
	for _, tt := range tests {
		cmd := exec.Command("go", "vet", "-vettool="+bin, tt.pkg)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fails {
			t.Errorf("go vet %s: error %v, want failure %v\n%s", tt.pkg, err, tt.fails, out)
		}
		checkOutput(t, tt.pkg, string(out), tt.want, tt.ordered)
	}
}

// checkOutput checks that out holds each of want once, and in want's
// order if ordered.
func checkOutput(t *testing.T, pkg, out string, want []string, ordered bool) {
	t.Helper()
	rest := out
	for _, w := range want {
		if n := strings.Count(out, w); n != 1 {
			t.Errorf("go vet %s: %q reported %d times, want once:\n%s", pkg, w, n, out)
			continue
		}
		if !ordered {
			continue
		}
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("go vet %s: %q out of order:\n%s", pkg, w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}
