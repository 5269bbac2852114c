package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/internal/golden"
)

// timing masks the lines of a summary that depend on the machine.
var timing = regexp.MustCompile(`(?m)^(wall time|speed-up) .*$`)

func TestMainCommands(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	notReport := filepath.Join(dir, "not.json")
	os.WriteFile(notReport, []byte(`{"hello": 1}`), 0o644)
	tests := []struct {
		name string
		args string
		code int
		env  map[string]string
	}{
		{name: "list", args: "list"},
		{name: "run", args: "run counter --seeds 5 --report " + report},
		{name: "run-failing", args: "run failing --seeds 3 --bug boom", code: 1},
		{name: "merge", args: "report merge " + report},
		{name: "merge-same-twice", args: "report merge " + report + " " + report, code: 2},
		{name: "merge-not-report", args: "report merge " + notReport, code: 2},
		{name: "run-unknown", args: "run nosuch", code: 2},
		{name: "run-bad-seeds", args: "run counter --seeds many", code: 2},
		{name: "run-bad-shard", args: "run counter --shard 4/3", code: 2},
		{name: "run-unknown-bug", args: "run counter --bug nope", code: 2},
		{name: "run-unknown-flag", args: "run counter --frobnicate", code: 2},
		{name: "run-job-index", args: "run counter --seeds 4", env: map[string]string{"JOB_COMPLETION_INDEX": "1", "JOB_COMPLETION_COUNT": "2"}},
		{name: "run-job-index-alone", args: "run counter", env: map[string]string{"JOB_COMPLETION_INDEX": "1"}, code: 2},
		{name: "replay-bad-seed", args: "replay counter --seed 0xZZ", code: 2},
		{name: "replay-no-seed", args: "replay counter", code: 2},
		{name: "replay-failing", args: "replay failing --seed 0x2a --bug boom --log error", code: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := cli.MainArgs("sims", strings.Fields(tt.args), &stdout, &stderr, counter(), failing())
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			got := strings.ReplaceAll(timing.ReplaceAllString(stdout.String(), "$1 (masked)"), dir, "DIR")
			got += "--- stderr\n" + strings.ReplaceAll(stderr.String(), dir, "DIR")
			golden.Check(t, filepath.Join("testdata", "main", tt.name+".golden"), []byte(got))
		})
	}
}
