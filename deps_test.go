package orrery_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// harnessOnly are the packages the code that ships must not link: the test
// harness, the command line and the assertion catalog need them, a server
// that calls orrery.Publish or assert.Always does not.
var harnessOnly = []string{
	"testing",
	"github.com/alecthomas/kong",
	"github.com/schollz/progressbar/v3",
	"golang.org/x/term",
	"go/parser",
	"go/types",
	"github.com/orrerysim/orrery/orrerytest",
	"github.com/orrerysim/orrery/cli",
	"github.com/orrerysim/orrery/internal/cli",
	"github.com/orrerysim/orrery/assert/catalog",
}

// TestShippedCodeLinksNoHarness builds mains that call only orrery.Publish
// or only assert.Always (testdata/publishonly, testdata/alwaysonly): none
// links a package of the harness, none but the main itself imports flag
// (which registers flags at init, as testing does), and -h lists no
// -orrery.* flag.
func TestShippedCodeLinksNoHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	for _, prog := range []string{"publishonly", "alwaysonly"} {
		t.Run(prog, func(t *testing.T) {
			pkg := "./testdata/" + prog
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				path, imports, _ := strings.Cut(line, ":")
				if slices.Contains(harnessOnly, path) {
					t.Errorf("%s links %s", prog, path)
				}
				if !strings.HasSuffix(path, "/testdata/"+prog) && slices.Contains(strings.Fields(imports), "flag") {
					t.Errorf("%s links %s, which imports flag", prog, path)
				}
			}
			bin := filepath.Join(t.TempDir(), prog)
			if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			help, _ := exec.Command(bin, "-h").CombinedOutput() // exit status 2 after -h, or 0 without flags
			if strings.Contains(string(help), "orrery.") {
				t.Errorf("%s -h lists flags of the harness:\n%s", prog, help)
			}
		})
	}
}

// TestSimulationBinaryLinksNoAnalyzer: a simulation binary built on
// cli.Main (cli/testdata/slowsim) links neither the analyzer of orrery vet,
// which only cmd/orrery adds, nor go/types.
func TestSimulationBinaryLinksNoAnalyzer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cli/testdata/slowsim").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, path := range strings.Fields(string(out)) {
		if path == "go/types" || path == "github.com/orrerysim/orrery/vet" || strings.HasPrefix(path, "golang.org/x/tools/") {
			t.Errorf("a simulation binary links %s", path)
		}
	}
}
