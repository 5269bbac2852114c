package vet_test

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/orrerysim/orrery/vet"
)

// TestExamplesClean runs the analyzer over Orrery's own examples, as
// `orrery vet ./examples/...` does: they are what users copy, so they must
// not escape the simulation.
func TestExamplesClean(t *testing.T) {
	found, err := vet.Run("..", "./examples/...")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
}

// TestExamplesAreChecked makes TestExamplesClean mean something: the
// examples are simulated packages, so an escape added to any file of them
// (here through an overlay) is reported.
func TestExamplesAreChecked(t *testing.T) {
	for _, dir := range []string{"bank", "wal"} {
		t.Run(dir, func(t *testing.T) {
			file, err := filepath.Abs(filepath.Join("..", "examples", dir, "zz_escape.go"))
			if err != nil {
				t.Fatal(err)
			}
			src := "package " + dir + "\n\nimport \"time\"\n\nvar _ = time.Now\n"
			cfg := &packages.Config{Dir: "..", Overlay: map[string][]byte{file: []byte(src)}}
			found, err := vet.Analyze(cfg, "./examples/"+dir)
			if err != nil {
				t.Fatal(err)
			}
			want := "examples/" + dir + "/zz_escape.go:5:9: time.Now reads the wall clock"
			if len(found) != 1 || !strings.HasPrefix(found[0].String(), want) {
				t.Errorf("findings %q, want one starting %q", found, want)
			}
		})
	}
}
