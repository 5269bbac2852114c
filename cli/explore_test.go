package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/maze"
)

// TestReplayTimeline: replay --timeline follows the branch points, which
// the trace marks, and the same command gives the same trace; a timeline
// that does not parse is refused before any seed runs.
func TestReplayTimeline(t *testing.T) {
	traceOf := func(args ...string) (string, int, string) {
		path := filepath.Join(t.TempDir(), "trace.jsonl")
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", append(args, "--trace", path, "--log", "off"), &stdout, &stderr, bank.Simulation(bank.Options{}))
		data, _ := os.ReadFile(path)
		return string(data), code, stderr.String()
	}
	base := []string{"replay", "bank", "--seed", "0x2a"}
	root, _, _ := traceOf(base...)
	one, code, stderr := traceOf(append(base, "--timeline", "40@0x7,3@0x9")...)
	if code != 0 {
		t.Fatalf("replay --timeline: exit %d: %s", code, stderr)
	}
	two, _, _ := traceOf(append(base, "--timeline", "40@0x7,3@0x9")...)
	if one != two || one == root {
		t.Errorf("timeline traces: equal to each other %v (want true), to the root's %v (want false)", one == two, one == root)
	}
	for _, mark := range []string{`"detail":"40@0x7"`, `"detail":"3@0x9"`} {
		if !strings.Contains(one, mark) {
			t.Errorf("trace lacks %s", mark)
		}
	}
	if _, code, stderr := traceOf(append(base, "--timeline", "40")...); code == 0 || !strings.Contains(stderr, "--timeline") {
		t.Errorf("a bad timeline: exit %d, stderr %q", code, stderr)
	}
}

// TestExploreFindsTheMaze: orrery explore finds the maze's vault and
// prints a replay command with its timeline, which fails the same way.
func TestExploreFindsTheMaze(t *testing.T) {
	run := func(args ...string) (*orrery.Report, int, string) {
		path := filepath.Join(t.TempDir(), "report.json")
		var stdout, stderr bytes.Buffer
		code := cli.MainArgs("orrery", append(args, "--report", path), &stdout, &stderr, maze.Simulation())
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("orrery %s: no report: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		var rep orrery.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		return &rep, code, stdout.String()
	}
	rep, code, out := run("explore", "maze", "--bug", "vault", "--fail-fast", "--energy", "20000")
	if code != 1 || rep.Failed == 0 || rep.Explore == nil || !strings.Contains(out, "branch points") {
		t.Fatalf("explore: exit %d, %d failed, explore %+v:\n%s", code, rep.Failed, rep.Explore, out)
	}
	f := rep.Failures[0]
	cmd := strings.Fields(f.Replay)
	if !strings.Contains(f.Replay, "--timeline "+f.Timeline) || cmd[1] != "replay" {
		t.Fatalf("replay command %q, timeline %q", f.Replay, f.Timeline)
	}
	again, _, _ := run(append(cmd[1:], "--log", "off")...)
	if again.Failed != 1 || again.Failures[0].Message != f.Message || again.Failures[0].Seq != f.Seq {
		t.Errorf("%s: %+v, want %q at seq %d", f.Replay, again.Failures, f.Message, f.Seq)
	}
}
