package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestProgramName builds orrery and runs it from where each way of
// starting it leaves the executable: installed, from go run's temporary
// directory in this repository, and from the build cache where go tool
// keeps it, in a module that declares it a tool. Its usage lines and the
// replay command it prints for a failing seed name it as it was invoked,
// and that replay command, pasted into a shell in the same directory,
// replays the seed.
func TestProgramName(t *testing.T) {
	if testing.Short() {
		t.Skip("builds orrery, runs go run and go tool")
	}
	bin := buildOrrery(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		exe   string
		dir   string
		want  string
		paste bool // run the replay command it prints
	}{
		{"installed", bin, root, "orrery", false},
		{"go run", placeAt(t, bin, "go-build1234/b001/exe"), root, "go run ./cmd/orrery", true},
		{"go tool", placeAt(t, bin, "go-build/ab/"+strings.Repeat("0f", 32)+"-d"), toolModule(t, root), "go tool orrery", true},
	}
	helps := []struct{ args, usage string }{
		{"trace show --help", "trace show <file>"},
		{"trace html --help", "trace html --out=PAGE <file>"},
		{"vet --help", "vet [<args> ...]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, h := range helps {
				out, _ := runIn(t, tt.dir, tt.exe, strings.Fields(h.args)...)
				if want := "Usage: " + tt.want + " " + h.usage; !strings.Contains(out, want) {
					t.Errorf("%s lacks %q:\n%s", h.args, want, out)
				}
			}
			replay := replayCommand(t, tt.dir, tt.exe)
			if !strings.HasPrefix(replay, tt.want+" replay bank --seed ") {
				t.Fatalf("replay command %q, want it to start %q", replay, tt.want+" replay bank")
			}
			if tt.paste {
				out, code := runIn(t, tt.dir, "sh", "-c", replay+" --trace "+filepath.Join(t.TempDir(), "t.jsonl")+" --log error")
				if seed := strings.Fields(replay)[len(strings.Fields(tt.want))+4]; code != 1 || !strings.Contains(out, seed) {
					t.Errorf("%s: exit %d, want 1 (the seed fails again) and its seed %s:\n%s", replay, code, seed, out)
				}
			}
		})
	}
}

// buildOrrery builds this command into a temporary directory.
func buildOrrery(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "orrery")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// placeAt copies the executable bin to the directory rel of a temporary
// directory, as the go command places what it runs.
func placeAt(t *testing.T, bin, rel string) string {
	t.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), filepath.FromSlash(rel))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "orrery")
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// toolModule writes a module that requires this repository's Orrery and
// declares cmd/orrery a tool, as `go get -tool` does.
func toolModule(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	gomod := "module example.com/counter\n\ngo 1.26\n\nrequire github.com/orrerysim/orrery v0.0.0\n\n" +
		"replace github.com/orrerysim/orrery => " + root + "\n\ntool github.com/orrerysim/orrery/cmd/orrery\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir, tidy.Env = dir, append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dir
}

var replayLine = regexp.MustCompile(`(?m)^\s*replay: (.*)$`)

// replayCommand runs a failing seed of the bank simulation with exe in
// dir and returns the replay command it prints.
func replayCommand(t *testing.T, dir, exe string) string {
	t.Helper()
	out, code := runIn(t, dir, exe, "run", "bank", "--bug", "lost-update", "--seeds", "1", "--shrink", "0")
	m := replayLine.FindStringSubmatch(out)
	if code != 1 || m == nil {
		t.Fatalf("run bank: exit %d, want 1 and a replay command:\n%s", code, out)
	}
	return strings.TrimSpace(m[1])
}

// runIn runs name with args in dir and returns its output and exit code.
func runIn(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}
