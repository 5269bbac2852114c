package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
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
