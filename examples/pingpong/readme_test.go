package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
)

// readmeCommand matches the README's commands on pingpong's traces:
// "go run ./examples/pingpong -seed 7 -trace p7.jsonl" and
// "go run ./cmd/orrery trace why p7.jsonl 7".
var readmeCommand = regexp.MustCompile(`(?m)^go run ./(examples/pingpong|cmd/orrery) ([^#\n]*)`)

// TestReadmeTraceCommands runs the trace commands the README shows, in
// order, and fails if one of them fails: a seq or a seed that the README
// names must exist in the trace the commands before it wrote.
func TestReadmeTraceCommands(t *testing.T) {
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	written := map[string]bool{} // the traces pingpong wrote
	ran := 0
	for _, c := range readmeCommand.FindAllStringSubmatch(string(src), -1) {
		args := strings.Fields(c[2])
		if c[1] == "examples/pingpong" {
			written[writeTrace(t, dir, args)] = true
			continue
		}
		if !readsTraces(args, written) {
			continue // a command of another section
		}
		for i, a := range args {
			if written[a] {
				args[i] = filepath.Join(dir, a)
			}
		}
		ran++
		var out bytes.Buffer
		code := cli.MainArgs("orrery", args, &out, &out)
		want := 0
		if args[1] == "diff" {
			want = 1 // the two seeds' traces differ
		}
		if code != want {
			t.Errorf("%s: exit %d, want %d:\n%s", c[0], code, want, out.String())
		}
	}
	if ran < 3 {
		t.Fatalf("the README shows %d trace commands on pingpong's traces, want at least 3", ran)
	}
}

// readsTraces reports whether args is a trace command on files in written.
func readsTraces(args []string, written map[string]bool) bool {
	if len(args) < 3 || args[0] != "trace" {
		return false
	}
	for _, a := range args {
		if written[a] {
			return true
		}
	}
	return false
}

// writeTrace runs pingpong as "-seed N -trace file" would and returns the
// file's name.
func writeTrace(t *testing.T, dir string, args []string) string {
	var seed uint64
	var name string
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-seed":
			s, err := orrery.ParseSeed(args[i+1])
			if err != nil {
				t.Fatal(err)
			}
			seed = s
		case "-trace":
			name = args[i+1]
		}
	}
	var jsonl bytes.Buffer
	if _, err := run(seed, 3, &bytes.Buffer{}, "", &jsonl); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), jsonl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}
