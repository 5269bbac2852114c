package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/cli"
)

// sims runs the command line on the test simulations and returns its exit
// code, standard output and standard error.
func sims(t *testing.T, args string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.MainArgs("sims", strings.Fields(args), &stdout, &stderr, counter(), failing())
	return code, stdout.String(), stderr.String()
}

// TestFirstSeedFlag: --first-seed starts the run at a seed number, which
// the report and the summary record; it takes decimal and hex.
func TestFirstSeedFlag(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		flag  string
		first uint64
		line  string
	}{
		{"1000", 1000, "seed numbers  1000 to 1003\n"},
		{"0x100000000", 1 << 32, "seed numbers  4294967296 to 4294967299\n"},
	} {
		path := filepath.Join(dir, tt.flag+".json")
		code, out, errOut := sims(t, "run counter --seeds 4 --first-seed "+tt.flag+" --report "+path)
		if code != 0 || !strings.Contains(out, tt.line) {
			t.Fatalf("--first-seed %s: exit %d, stderr %q, summary\n%s\nwant %q", tt.flag, code, errOut, out, tt.line)
		}
		if rep := readReport(t, path); rep.FirstSeed != tt.first || rep.Seeds != 4 {
			t.Errorf("--first-seed %s: the report says first seed %d, %d seeds", tt.flag, rep.FirstSeed, rep.Seeds)
		}
	}
	if code, _, errOut := sims(t, "run counter --first-seed=-1"); code != 2 || !strings.Contains(errOut, "--first-seed") {
		t.Errorf("--first-seed -1: exit %d, %q", code, errOut)
	}
}

// TestMergeOfADirectory: report merge takes a directory for the .json
// reports in it, and with --all-shards refuses a merge that lacks a shard
// (a pod of the sweep that wrote no report), naming it.
func TestMergeOfADirectory(t *testing.T) {
	dir := t.TempDir()
	for k := 1; k <= 3; k++ {
		t.Setenv("JOB_COMPLETION_INDEX", fmt.Sprint(k-1))
		t.Setenv("JOB_COMPLETION_COUNT", "3")
		args := fmt.Sprintf("run counter --seeds 9 --first-seed 50 --report %s/shard-%d.json", dir, k)
		if code, _, errOut := sims(t, args); code != 0 {
			t.Fatalf("shard %d/3: exit %d: %s", k, code, errOut)
		}
	}
	os.Unsetenv("JOB_COMPLETION_INDEX")
	merged := filepath.Join(t.TempDir(), "merged.json")
	code, out, errOut := sims(t, "report merge --all-shards -o "+merged+" "+dir)
	if code != 0 || !strings.Contains(out, "seed numbers  50 to 58\nseeds         9 run, 0 failed (stopped: merged)\n") {
		t.Fatalf("merge of the directory: exit %d, stderr %q, summary\n%s", code, errOut, out)
	}
	if rep := readReport(t, merged); rep.Shard != "" || len(rep.Parts) != 3 || rep.FirstSeed != 50 {
		t.Errorf("merged report: shard %q, parts %+v, first seed %d", rep.Shard, rep.Parts, rep.FirstSeed)
	}
	os.Remove(filepath.Join(dir, "shard-2.json"))
	for _, tt := range []struct {
		args   string
		code   int
		stderr string
	}{
		{"report merge --all-shards " + dir, 2, "orrery: merge: --all-shards: the reports hold shards 1,3/3; missing: 2\n"},
		{"report merge " + dir, 0, ""},
		{"report merge " + t.TempDir(), 2, "a directory with no .json report\n"},
		{"report merge " + filepath.Join(dir, "nosuch.json"), 2, "nosuch.json: no such file or directory\n"},
	} {
		code, _, errOut := sims(t, tt.args)
		if code != tt.code || !strings.HasSuffix(errOut, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d, %q", tt.args, code, errOut, tt.code, tt.stderr)
		}
	}
}
