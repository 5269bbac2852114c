package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVettool builds orrery-vet and runs it as go vet does, through the
// -vettool protocol: the sample's escapes are reported, the examples pass.
func TestVettool(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orrery-vet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build orrery-vet: %v\n%s", err, out)
	}
	tests := []struct {
		pkg   string
		fails bool
		want  []string // substrings of the output, in order
	}{
		{"./vet/testdata/sample", true, []string{
			"sample.go:24:11: time.Now reads the wall clock",
			"sample.go:26:2: go statement starts a goroutine",
			"sample.go:30:3: range over a map visits entries in random order",
			"sample.go:36:15: os.ReadFile touches the real file system",
		}},
		{"./examples/...", false, nil},
	}
	for _, tt := range tests {
		cmd := exec.Command("go", "vet", "-vettool="+bin, tt.pkg)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fails {
			t.Errorf("go vet %s: error %v, want failure %v\n%s", tt.pkg, err, tt.fails, out)
		}
		rest := string(out)
		for _, w := range tt.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("go vet %s: output lacks %q (or has it out of order):\n%s", tt.pkg, w, out)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}
