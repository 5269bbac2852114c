package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVet: orrery vet reports code that escapes the simulation, and finds
// the examples clean.
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds orrery and loads packages")
	}
	bin := buildOrrery(t)
	tests := []struct {
		pkg  string
		code int
		want string
	}{
		{"./examples/...", 0, ""},
		{"./cmd/orrery/testdata/escape", 1, "escape.go:13:2: time.Sleep waits on the wall clock"},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, "vet", tt.pkg)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.Output()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(string(out), tt.want) || (tt.want == "" && len(out) > 0) {
			t.Errorf("orrery vet %s: exit %d, want %d; output:\n%s", tt.pkg, code, tt.code, out)
		}
	}
}
