package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/orrerysim/orrery/internal/golden"
)

// TestMain rewrites the trace files under testdata first with -update
// (golden's flag), as the goldens are.
func TestMain(m *testing.M) {
	flag.Parse()
	if golden.Update() {
		if err := writeTraceFiles(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// A command case runs the command line args and checks the exit code, the
// standard error (at most one line, given whole) and the standard output
// against testdata/NAME.golden (no file for no output).
type commandCase struct {
	name   string
	args   string // split on spaces
	stdin  string // a file under testdata to give as the standard input
	code   int
	stderr string
}

var commandCases = []commandCase{
	{name: "help", args: "--help"},
	{name: "help-show", args: "trace show --help"},
	{name: "help-why", args: "trace why --help"},
	{name: "help-diff", args: "trace diff --help"},

	{name: "show", args: "trace show testdata/run.jsonl"},
	{name: "show-stdin", args: "trace show -", stdin: "run.jsonl"},
	{name: "show-around", args: "trace show testdata/run.jsonl --around 5 --before 1 --after 2"},
	{name: "show-around-default", args: "trace show testdata/run.jsonl --around 4"},
	{name: "show-from-to-seq", args: "trace show testdata/run.jsonl --from 4 --to 5"},
	{name: "show-from-to-time", args: "trace show testdata/run.jsonl --from 30ms --to 0.05s"},
	{name: "show-no-infra", args: "trace show testdata/run.jsonl --no-infra"},
	{name: "show-kind", args: "trace show testdata/run.jsonl --kind Network"},
	{name: "show-proc", args: "trace show testdata/run.jsonl --proc bank/client-2"},
	{name: "show-conn", args: "trace show testdata/run.jsonl --conn 3"},
	{name: "show-level", args: "trace show testdata/run.jsonl --level warn"},
	{name: "show-color", args: "--color=always trace show testdata/run.jsonl"},
	{name: "show-color-auto", args: "trace show testdata/run.jsonl --no-infra --color=auto"},

	{name: "why", args: "trace why testdata/run.jsonl"},
	{name: "why-seq", args: "trace why testdata/run.jsonl 4 --recent 2"},
	{name: "why-no-recent", args: "trace why testdata/run.jsonl --recent 0"},
	{name: "why-stdin", args: "trace why -", stdin: "run.jsonl"},
	{name: "why-color", args: "trace why testdata/run.jsonl --color=always"},
	{name: "why-max", args: "trace why testdata/run.jsonl --max 2 --recent 0"},
	{name: "why-max-none", args: "trace why testdata/run.jsonl --max 0 --recent 0"},

	{name: "diff-identical", args: "trace diff testdata/run.jsonl testdata/run-seed2.jsonl"},
	{name: "diff-differ", args: "trace diff testdata/run.jsonl testdata/run-split.jsonl", code: 1},
	{name: "diff-context", args: "trace diff testdata/run.jsonl testdata/run-split.jsonl --context 1 --no-infra", code: 1},
	{name: "diff-stdin", args: "trace diff - testdata/run-split.jsonl --context 0", stdin: "run.jsonl", code: 1},
	{name: "diff-color", args: "trace diff testdata/run.jsonl testdata/run-split.jsonl --color=always", code: 1},
}

// badCases are the usage errors and bad inputs: exit code 2 and one line.
var badCases = []commandCase{
	{name: "bad-no-command", args: "", stderr: `orrery: usage: expected "trace" (see orrery --help)`},
	{name: "bad-unknown-flag", args: "trace show testdata/run.jsonl --bogus", stderr: `orrery: trace show: unknown flag --bogus (see orrery trace show --help)`},
	{name: "bad-unknown-command", args: "trace explain testdata/run.jsonl", stderr: `orrery: trace: unexpected argument explain (see orrery trace --help)`},
	{name: "bad-missing-arg", args: "trace diff testdata/run.jsonl", stderr: `orrery: trace diff: expected "<b>" (see orrery trace diff --help)`},
	{name: "bad-color", args: "--color=purple trace show testdata/run.jsonl", stderr: `orrery: trace show: --color must be one of "auto","always","never" but got "purple" (see orrery trace show --help)`},
	{name: "bad-seq", args: "trace why testdata/run.jsonl abc", stderr: `orrery: trace why: [<seq>]: expected a valid 64 bit uint but got "abc" (see orrery trace why --help)`},
	{name: "bad-seq-negative", args: "trace why testdata/run.jsonl -3", stderr: `orrery: trace why: unknown flag -3, did you mean "-h"? (see orrery trace why --help)`},
	{name: "bad-around", args: "trace show testdata/run.jsonl --around 12x", stderr: `orrery: trace show: --around: expected a valid 64 bit uint but got "12x" (see orrery trace show --help)`},
	{name: "bad-around-zero", args: "trace show testdata/run.jsonl --around 0", stderr: `orrery: trace show: --around: seq must be above 0 (seq 0 is the setup, not an event) (see orrery trace show --help)`},
	{name: "bad-before-alone", args: "trace show testdata/run.jsonl --before 2", stderr: `orrery: trace show: --before and --after need --around (see orrery trace show --help)`},
	{name: "bad-from", args: "trace show testdata/run.jsonl --from soon", stderr: `orrery: trace show: --from: "soon" is neither a seq nor a time such as 1.5s or 200ms (see orrery trace show --help)`},
	{name: "bad-to-zero", args: "trace show testdata/run.jsonl --to 0", stderr: `orrery: trace show: --to: must be above 0 (seq 0 and time 0 are the start of the run) (see orrery trace show --help)`},
	{name: "bad-level", args: "trace show testdata/run.jsonl --level loud", stderr: `orrery: trace show: --level: trace level "loud": want error, warn, info, debug or trace (see orrery trace show --help)`},
	{name: "bad-diff-stdin-twice", args: "trace diff - -", stderr: `orrery: trace diff: only one of A and B can be - (the standard input) (see orrery trace diff --help)`},

	{name: "bad-missing-file", args: "trace show testdata/nosuch.jsonl", stderr: `orrery: testdata/nosuch.jsonl: no such file or directory`},
	{name: "bad-empty", args: "trace show testdata/empty.jsonl", stderr: `orrery: testdata/empty.jsonl: show: empty trace: no records`},
	{name: "bad-not-trace", args: "trace show testdata/not-trace.txt", stderr: `orrery: testdata/not-trace.txt: show: trace line 1: not a trace: want a JSON object, found 'h'`},
	{name: "bad-truncated", args: "trace show testdata/truncated.jsonl", stderr: `orrery: testdata/truncated.jsonl: show: trace line 13: truncated record: the file ends inside it`},
	{name: "bad-malformed", args: "trace show testdata/malformed.jsonl", stderr: `orrery: testdata/malformed.jsonl: show: trace line 3: malformed record: field "t": byte 6: want an unsigned integer, found 'o'`},
	{name: "bad-show-no-such-seq", args: "trace show testdata/run.jsonl --around 99", stderr: `orrery: testdata/run.jsonl: show: seq=99: no such seq in the trace`},
	{name: "bad-show-unknown-kind", args: "trace show testdata/run.jsonl --kind Bogus", stderr: `orrery: testdata/run.jsonl: show: nothing to show: no record in the range has kind or op "Bogus"`},
	{name: "bad-show-empty-range", args: "trace show testdata/run.jsonl --from 5 --to 2", stderr: `orrery: testdata/run.jsonl: show: nothing to show: the range ends before it starts`},
	{name: "bad-show-from-no-such-seq", args: "trace show testdata/run.jsonl --from 100 --to 10", stderr: `orrery: testdata/run.jsonl: show: from seq=100: no such seq in the trace`},
	{name: "bad-show-time-range", args: "trace show testdata/run.jsonl --from 1s --to 10ms", stderr: `orrery: testdata/run.jsonl: show: nothing to show: the range ends before it starts`},
	{name: "bad-show-unknown-proc", args: "trace show testdata/run.jsonl --proc nosuch", stderr: `orrery: testdata/run.jsonl: show: nothing to show: no record in the range is by or about "nosuch"`},
	{name: "bad-show-unknown-conn", args: "trace show testdata/run.jsonl --conn 99", stderr: `orrery: testdata/run.jsonl: show: nothing to show: no record in the range is about conn=99`},
	{name: "bad-why-negative-max", args: "trace why testdata/run.jsonl --max=-1", stderr: `orrery: trace why: --recent and --max must not be negative (see orrery trace why --help)`},
	{name: "bad-why-no-such-seq", args: "trace why testdata/run.jsonl 99", stderr: `orrery: testdata/run.jsonl: why seq=99: no such seq in the trace`},
	{name: "bad-why-no-failure", args: "trace why testdata/quiet.jsonl", stderr: `orrery: testdata/quiet.jsonl: why: no failure in the trace (no record at level ERROR or above)`},
	{name: "bad-why-truncated", args: "trace why testdata/truncated.jsonl", stderr: `orrery: testdata/truncated.jsonl: why: trace line 13: truncated record: the file ends inside it`},
	{name: "bad-why-empty-stdin", args: "trace why -", stdin: "empty.jsonl", stderr: `orrery: standard input: why: empty trace: no records`},
	{name: "bad-diff-missing", args: "trace diff testdata/run.jsonl testdata/nosuch.jsonl", stderr: `orrery: testdata/nosuch.jsonl: no such file or directory`},
	{name: "bad-diff-sims", args: "trace diff testdata/run.jsonl testdata/quiet.jsonl", stderr: `orrery: testdata/run.jsonl and testdata/quiet.jsonl: diff: sim "bank" against sim "raftkv": traces of different simulations`},
	{name: "bad-diff-truncated", args: "trace diff testdata/run.jsonl testdata/truncated.jsonl", stderr: `orrery: testdata/run.jsonl and testdata/truncated.jsonl: diff: b: trace line 13: truncated record: the file ends inside it`},
	{name: "bad-diff-not-trace", args: "trace diff testdata/not-trace.txt testdata/run.jsonl", stderr: `orrery: testdata/not-trace.txt and testdata/run.jsonl: diff: a: trace line 1: not a trace: want a JSON object, found 'h'`},
}

func TestCommands(t *testing.T) {
	t.Setenv("COLUMNS", "80") // kong wraps help to the terminal's width
	for _, c := range commandCases {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range badCases {
		c.code = exitBad
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// check runs the case through run, or with a standard input through
// env.run, which run calls.
func (c commandCase) check(t *testing.T) {
	t.Helper()
	args := strings.Fields(c.args)
	var stdout, stderr bytes.Buffer
	var code int
	if c.stdin == "" {
		code = run(args, &stdout, &stderr)
	} else {
		in, err := os.Open(filepath.Join("testdata", c.stdin))
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		e := &Env{stdin: in, stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		code = e.run(args)
	}
	if code != c.code {
		t.Errorf("orrery %s: exit code %d, want %d (stderr: %q)", c.args, code, c.code, stderr.String())
	}
	want := ""
	if c.stderr != "" {
		want = c.stderr + "\n"
	}
	if got := stderr.String(); got != want {
		t.Errorf("orrery %s: stderr\n%q\nwant\n%q", c.args, got, want)
	}
	checkGolden(t, c.name, stdout.Bytes())
}

// checkGolden compares got with testdata/name.golden, a missing file
// meaning no output; -update rewrites the file, or removes it.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if len(got) > 0 {
		golden.Check(t, path, got)
		return
	}
	_, err := os.Stat(path)
	switch {
	case golden.Update():
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	case err == nil:
		t.Errorf("no output, and %s exists (go test -update removes it)", path)
	}
}

func TestTraceHTML(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"trace", "html", "testdata/run.jsonl", "-o", page}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(page)
	if err != nil || !bytes.Contains(b, []byte("<canvas")) {
		t.Fatalf("page: %v, %d bytes", err, len(b))
	}
	bad := filepath.Join(dir, "bad.html")
	code := run([]string{"trace", "html", "testdata/truncated.jsonl", "-o", bad}, &stdout, &stderr)
	if _, err := os.Stat(bad); code != 2 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a bad trace: exit %d and stat %v; want exit 2 and no page", code, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the directory, want only the good page", len(entries))
	}
}

// panicCmd is a command whose code crashes.
type panicCmd struct{}

func (*panicCmd) Run(*Env) error { panic("the runner broke") }

// statusCmd exits with a status of its choosing.
type statusCmd struct{}

func (*statusCmd) Run(*Env) error { return ExitStatus(130) }

// TestExitCodes checks the codes that are not usage errors: a crash of
// orrery's own code is 3 with its stack, not 2, and a command can exit
// with a status of its own (an interrupted run) without a message.
func TestExitCodes(t *testing.T) {
	for _, tt := range []struct {
		cmd    any
		code   int
		stderr []string
	}{
		{&panicCmd{}, exitCrash, []string{"orrery: internal error (a bug in orrery; please report it with this stack): the runner broke\n", "(*panicCmd).Run", "goroutine "}},
		{&statusCmd{}, 130, nil},
	} {
		var stdout, stderr bytes.Buffer
		code := Run([]string{"x"}, &stdout, &stderr, kong.DynamicCommand("x", "", "", tt.cmd))
		if code != tt.code {
			t.Errorf("%T: exit code %d, want %d; stderr:\n%s", tt.cmd, code, tt.code, stderr.String())
		}
		for _, want := range tt.stderr {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%T: stderr lacks %q:\n%s", tt.cmd, want, stderr.String())
			}
		}
		if tt.stderr == nil && stderr.Len() > 0 {
			t.Errorf("%T: stderr %q, want none", tt.cmd, stderr.String())
		}
	}
}
