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
)

// TestReplayCommandsReproduce runs the bank's planted bug from the command
// line, with and without swarm mode, then runs the replay command printed
// for every failing seed: each must fail the same way, at the same time
// and seq, under the same drawn faults.
func TestReplayCommandsReproduce(t *testing.T) {
	for _, args := range []string{
		"run bank --seeds 4 --bug lost-update",
		"run bank --seeds 4 --bug lost-update --swarm",
	} {
		t.Run(args, func(t *testing.T) {
			run := runReport(t, strings.Fields(args))
			if run.Failed == 0 {
				t.Fatal("no seed failed")
			}
			for _, f := range run.Failures {
				cmd := strings.Fields(f.Replay)
				if len(cmd) < 2 || cmd[0] != "orrery" || cmd[1] != "replay" {
					t.Fatalf("replay command %q", f.Replay)
				}
				replay := runReport(t, append(cmd[1:], "--log", "error"))
				if len(replay.Failures) != 1 {
					t.Fatalf("%s: %d failures, want 1", f.Replay, len(replay.Failures))
				}
				g := replay.Failures[0]
				if swarm := strings.Contains(args, "--swarm"); swarm != (f.Chaos != "") {
					t.Errorf("seed %#x: swarm %v, mix %q", f.Seed, swarm, f.Chaos)
				}
				if strings.Contains(f.Chaos, "phantom-write") || strings.Contains(f.Chaos, "misdirected") {
					t.Errorf("seed %#x drew a disk family outside bank.Model: %s", f.Seed, f.Chaos)
				}
				if g.Seed != f.Seed || g.Message != f.Message || g.At != f.At || g.Seq != f.Seq || g.Chaos != f.Chaos {
					t.Errorf("%s:\n replayed %+v\n      ran %+v", f.Replay, g, f)
				}
			}
		})
	}
}

// runReport runs the orrery command args on the bank simulation and
// returns its report.
func runReport(t *testing.T, args []string) *orrery.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	cli.MainArgs("orrery", append(args, "--report", path), &stdout, &stderr, bank.Simulation(bank.Options{}))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("orrery %s wrote no report: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var rep orrery.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}
