package vet_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/vet"
)

// TestMainCommand runs the command as `orrery vet` would: findings sorted by
// position, one a line on stdout, paths relative to the working directory,
// and the exit code saying whether there were any.
func TestMainCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		golden   string // stdout, under testdata
		stderrRx string // a substring stderr must contain
	}{
		{"findings", []string{"./testdata/sample"}, 1, "sample.golden", "orrery vet: 10 finding(s)"},
		// The simulated code of a package's tests and of its external test
		// package is checked too, each finding reported once although the
		// package and its test variant share sim.go.
		{"tests", []string{"./testdata/kv"}, 1, "kv.golden", "orrery vet: 5 finding(s)"},
		// A package that is not simulated is not checked, and Main says so.
		{"not simulated", []string{"./testdata/src/plain"}, 0, "", "orrery vet: nothing to check: no package uses env.Env"},
		{"clean", []string{"../examples/..."}, 0, "", ""},
		{"no such package", []string{"./testdata/nosuch"}, 2, "", "orrery vet: load packages: "},
		{"bad flag", []string{"-nosuch"}, 2, "", "usage: orrery vet [packages]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := vet.Main(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderrRx) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.stderrRx)
			}
			checkGolden(t, tt.golden, stdout.Bytes())
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	if name == "" {
		if len(got) > 0 {
			t.Errorf("stdout:\n%s\nwant nothing", got)
		}
		return
	}
	golden.Check(t, filepath.Join("testdata", name), got)
}
