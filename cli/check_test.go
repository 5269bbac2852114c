package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
)

// checked is the counter simulation with a seed check that waits for its
// time limit.
func checked() orrery.Simulation {
	s := counter()
	s.Name = "checked"
	s.SeedChecks = []orrery.SeedCheck{{Name: "slow", Check: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}}
	return s
}

// TestCheckTimeoutFlag: --check-timeout bounds each seed check; the
// replay commands carry it, the summary counts unknown seeds apart, and a
// run with one exits 1.
func TestCheckTimeoutFlag(t *testing.T) {
	s := checked()
	report := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", []string{"run", "checked", "--seeds", "2", "--check-timeout", "20ms", "--report", report}, &stdout, &stderr, s)
	rep := readReport(t, report)
	if code != 1 || rep.Unknown != 2 || rep.Failed != 0 {
		t.Fatalf("exit %d, %d unknown, %d failed; stdout:\n%s", code, rep.Unknown, rep.Failed, stdout.String())
	}
	if !strings.HasSuffix(rep.Unknowns[0].Replay, " --check-timeout 20ms") {
		t.Errorf("replay command %q lacks the check timeout", rep.Unknowns[0].Replay)
	}
	if !strings.Contains(stdout.String(), "2 run, 0 failed, 2 unknown") {
		t.Errorf("summary:\n%s", stdout.String())
	}
}

// TestArtifactsFlag: --artifacts writes each failing seed's directory and
// the summary lists it; a directory that cannot be made is refused before
// any seed runs, with exit status 2.
func TestArtifactsFlag(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	s := failing()
	code := cli.MainArgs("sims", []string{"run", "failing", "--seeds", "2", "--bug", "boom", "--artifacts", dir}, &stdout, &stderr, s)
	if code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d seed directories (%v), want 2", len(entries), err)
	}
	seedDir := filepath.Join(dir, entries[0].Name())
	if !strings.Contains(stdout.String(), "artifacts: "+seedDir+": trace.jsonl, failure.json, failure.txt") {
		t.Errorf("summary lacks the artifacts of %s:\n%s", seedDir, stdout.String())
	}
	for _, name := range []string{"trace.jsonl", "failure.json", "failure.txt"} {
		if fi, err := os.Stat(filepath.Join(seedDir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	stdout.Reset()
	stderr.Reset()
	code = cli.MainArgs("sims", []string{"run", "failing", "--seeds", "2", "--artifacts", filepath.Join(file, "x")}, &stdout, &stderr, s)
	if code != 2 || !strings.Contains(stderr.String(), "artifacts: ") || stdout.Len() != 0 {
		t.Errorf("a file as the directory: exit %d, stderr %q, stdout %q", code, stderr.String(), stdout.String())
	}
}
