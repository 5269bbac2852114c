// The guides in this directory show commands and their output. This test
// runs every command of every ```console block and compares what it
// prints with what the guide says, so that the guides cannot drift from
// the tools: run it with -update to rewrite the outputs.
package docs_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/internal/golden"
)

func TestGuides(t *testing.T) {
	guides, err := filepath.Glob("*.md")
	if err != nil || len(guides) == 0 {
		t.Fatalf("no guides: %v", err)
	}
	for _, g := range guides {
		t.Run(g, func(t *testing.T) { checkGuide(t, g) })
	}
}

// checkGuide runs the commands of one guide in a fresh directory, in order
// (later commands read the files earlier ones wrote).
func checkGuide(t *testing.T, path string) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Chdir(t.TempDir())
	got := regenerate(t, string(src))
	if golden.Update() {
		if err := os.WriteFile(abs, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if normalize(got) != normalize(string(src)) {
		t.Errorf("%s: the commands' output changed; run go test ./docs -update and review the diff", path)
		showFirstDifference(t, normalize(string(src)), normalize(got))
	}
}

// regenerate returns the guide with the output of each console block's
// commands put back under them.
func regenerate(t *testing.T, src string) string {
	var out strings.Builder
	lines := strings.SplitAfter(src, "\n")
	for i := 0; i < len(lines); i++ {
		out.WriteString(lines[i])
		if strings.TrimSpace(lines[i]) != "```console" {
			continue
		}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			if cmd, ok := strings.CutPrefix(lines[i], "$ "); ok {
				out.WriteString(lines[i])
				out.WriteString(run(t, strings.TrimSpace(cmd)))
			}
		}
		if i < len(lines) {
			out.WriteString(lines[i])
		}
	}
	return out.String()
}

// run runs one command line ("[VAR=value ...] orrery args...") in process
// and returns what it wrote, standard error first (as a terminal shows a
// replay's trace above its summary).
func run(t *testing.T, cmd string) string {
	fields := strings.Fields(cmd)
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		k, v, _ := strings.Cut(fields[0], "=")
		t.Setenv(k, v) // restored when the test ends
		defer os.Unsetenv(k)
		fields = fields[1:]
	}
	if len(fields) == 0 || fields[0] != "orrery" {
		t.Fatalf("guide command %q: only orrery commands can be checked", cmd)
	}
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("orrery", fields[1:], &stdout, &stderr, bank.Simulation(bank.Options{}), leaseSimulation(),
		registerSimulation(), counter.Simulation(), sessionsSimulation(), maze.Simulation(), wal.Simulation())
	text := stderr.String() + stdout.String()
	if code != 0 {
		text += fmt.Sprintf("(exit status %d)\n", code)
	}
	return text
}

// machineDependent matches the figures that change from machine to machine.
var machineDependent = regexp.MustCompile(`(?m)^(wall time|speed-up)( +).*$`)

func normalize(s string) string { return machineDependent.ReplaceAllString(s, "$1$2…") }

func showFirstDifference(t *testing.T, want, got string) {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			t.Errorf("line %d:\n guide: %s\n   now: %s", i+1, wl, gl)
			return
		}
	}
}
