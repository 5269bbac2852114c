package orrerytest

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGoTestReplay: the replay command of a seed run by Test names the
// test and its package, and carries what changes the seed's execution as
// environment variables, which every package of a go test run takes.
func TestGoTestReplay(t *testing.T) {
	tests := []struct {
		pkg, name string
		set       settings
		want      string
	}{
		{".", "TestBank", settings{}, "ORRERY_SEED=0x2a go test -run '^TestBank$' ."},
		{"./examples/bank", "TestBank/sub.1", settings{bugs: []string{"a", "b"}},
			"ORRERY_SEED=0x2a ORRERY_BUG=a,b go test -run '^TestBank$/^sub\\.1$' ./examples/bank"},
		{".", "TestBank", settings{bugs: []string{"a"}, swarm: true},
			"ORRERY_SEED=0x2a ORRERY_BUG=a ORRERY_SWARM=1 go test -run '^TestBank$' ."},
		{".", "TestBank", settings{watchdog: 30 * time.Second}, "ORRERY_SEED=0x2a ORRERY_WATCHDOG=30s go test -run '^TestBank$' ."},
	}
	for _, tt := range tests {
		if got := goTestReplay(tt.pkg, tt.name, tt.set)(42); got != tt.want {
			t.Errorf("goTestReplay(%q, %q, %+v) = %s, want %s", tt.pkg, tt.name, tt.set, got, tt.want)
		}
	}
}

// TestSettingsFromFlagsAndEnvironment: every setting is a flag and an
// ORRERY_ variable; the flag wins; a bad value says where it came from.
func TestSettingsFromFlagsAndEnvironment(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(settings) bool
		err   string
	}{
		{"defaults", nil, nil, func(s settings) bool { return s.seeds == 0 && !s.replay && !s.swarm }, ""},
		{"env seeds", nil, map[string]string{"ORRERY_SEEDS": "10"}, func(s settings) bool { return s.seeds == 10 }, ""},
		{"flag wins", []string{"-orrery.seeds=7"}, map[string]string{"ORRERY_SEEDS": "10"}, func(s settings) bool { return s.seeds == 7 }, ""},
		{"env seed", nil, map[string]string{"ORRERY_SEED": "0x2a"}, func(s settings) bool { return s.replay && s.seed == 42 }, ""},
		{"env swarm", nil, map[string]string{"ORRERY_SWARM": "1"}, func(s settings) bool { return s.swarm }, ""},
		{"flag swarm", []string{"-orrery.swarm"}, nil, func(s settings) bool { return s.swarm }, ""},
		{"flag swarm off wins", []string{"-orrery.swarm=false"}, map[string]string{"ORRERY_SWARM": "true"}, func(s settings) bool { return !s.swarm }, ""},
		{"env determinism", nil, map[string]string{"ORRERY_CHECK_DETERMINISM": "true"}, func(s settings) bool { return s.determinism }, ""},
		{"env crypto from os", nil, map[string]string{"ORRERY_CRYPTO_RAND_FROM_OS": "1"}, func(s settings) bool { return s.cryptoFromOS }, ""},
		{"env bug", nil, map[string]string{"ORRERY_BUG": "a,b"}, func(s settings) bool { return strings.Join(s.bugs, "+") == "a+b" }, ""},
		{"env trace", nil, map[string]string{"ORRERY_TRACE": "t.jsonl"}, func(s settings) bool { return s.trace == "t.jsonl" }, ""},
		{"env report", nil, map[string]string{"ORRERY_REPORT": "r.json"}, func(s settings) bool { return s.report == "r.json" }, ""},
		{"env catalog", nil, map[string]string{"ORRERY_CATALOG": "."}, func(s settings) bool { return s.catalog == "." }, ""},
		{"env parallel", nil, map[string]string{"ORRERY_PARALLEL": "3"}, func(s settings) bool { return s.parallel == 3 }, ""},
		{"env watchdog", nil, map[string]string{"ORRERY_WATCHDOG": "3s"}, func(s settings) bool { return s.watchdog == 3*time.Second }, ""},
		{"env log", nil, map[string]string{"ORRERY_LOG": "netsim=trace,info"}, func(s settings) bool { return s.log == "netsim=trace,info" }, ""},
		{"bad env log", nil, map[string]string{"ORRERY_LOG": "loud"}, nil, `ORRERY_LOG=loud: trace level "loud"`},
		{"bad env seeds", nil, map[string]string{"ORRERY_SEEDS": "ten"}, nil, "ORRERY_SEEDS=ten: want a number of seeds, 1 or more"},
		{"zero env seeds", nil, map[string]string{"ORRERY_SEEDS": "0"}, nil, "ORRERY_SEEDS=0: want a number of seeds"},
		{"bad env seed", nil, map[string]string{"ORRERY_SEED": "052"}, nil, `ORRERY_SEED=052: seed "052"`},
		{"bad env swarm", nil, map[string]string{"ORRERY_SWARM": "yes"}, nil, "ORRERY_SWARM=yes: want true or false"},
		{"bad env watchdog", nil, map[string]string{"ORRERY_WATCHDOG": "10"}, nil, "ORRERY_WATCHDOG=10: want a duration"},
		{"bad env parallel", nil, map[string]string{"ORRERY_PARALLEL": "-1"}, nil, "ORRERY_PARALLEL=-1: want a number"},
		{"default shrink", nil, nil, func(s settings) bool { return s.shrink == 10*time.Second }, ""},
		{"env shrink", nil, map[string]string{"ORRERY_SHRINK": "30s"}, func(s settings) bool { return s.shrink == 30*time.Second }, ""},
		{"flag shrink off", []string{"-orrery.shrink=0"}, map[string]string{"ORRERY_SHRINK": "30s"}, func(s settings) bool { return s.shrink == 0 }, ""},
		{"bad env shrink", nil, map[string]string{"ORRERY_SHRINK": "-1s"}, nil, "ORRERY_SHRINK=-1s: want a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			f := register(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			s, err := f.resolve(func(k string) string { return tt.env[k] })
			switch {
			case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
				t.Errorf("error %v, want one starting %q", err, tt.err)
			case tt.err == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.err == "" && !tt.check(s):
				t.Errorf("settings %+v", s)
			}
		})
	}
}

// TestBadFlagIsRefused: a flag value that does not parse is refused by
// the command line, as go test reports it.
func TestBadFlagIsRefused(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	register(fs)
	if err := fs.Parse([]string{"-orrery.seeds=many"}); err == nil || !strings.Contains(err.Error(), "want a number of seeds") {
		t.Errorf("-orrery.seeds=many: %v", err)
	}
}

// TestTestFilesArePerTest: the trace and report settings give each test a
// file of its own, so that tests of one go test run do not overwrite each
// other's.
func TestTestFilesArePerTest(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ setting, pkg, test, want string }{
		{"out.jsonl", "./examples/bank", "TestBank", "out.TestBank.jsonl"},
		{"out.jsonl", "./examples/bank", "TestBank/sub 1", "out.TestBank-sub-1.jsonl"},
		{"out", ".", "TestX", "out.TestX.jsonl"},
		{"/tmp/r.json", "./examples/bank", "TestBank", "/tmp/r.examples-bank.TestBank.json"},
		{"/tmp/r.json", ".", "TestBank", "/tmp/r.TestBank.json"},
		{dir + "/", "./examples/bank", "TestBank", filepath.Join(dir, "examples", "bank", "TestBank.jsonl")},
		{dir, ".", "TestX/a", filepath.Join(dir, "TestX-a.jsonl")},
	}
	for _, tt := range tests {
		got, err := testFile(tt.setting, tt.pkg, tt.test, ".jsonl")
		if err != nil || got != tt.want {
			t.Errorf("testFile(%q, %q, %q) = %q, %v; want %q", tt.setting, tt.pkg, tt.test, got, err, tt.want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "examples", "bank")); err != nil || !fi.IsDir() {
		t.Errorf("the package's directory under the setting's was not made: %v", err)
	}
}

// TestGoTestWhyNamesTheTraceFromTheRoot: go test writes the trace in the
// package's directory, so the trace why command, typed at the module's
// root as the replay command is, names the file under it.
func TestGoTestWhyNamesTheTraceFromTheRoot(t *testing.T) {
	replay, why := hints("./testdata", "T").Why("ORRERY_SEED=0x2a go test -run '^T$' ./testdata", "0x2a.jsonl", 84)
	if replay != "ORRERY_TRACE=0x2a.jsonl ORRERY_SEED=0x2a go test -run '^T$' ./testdata" ||
		why != "go tool orrery trace why testdata/0x2a.T.jsonl 84" {
		t.Errorf("replay %q\nwhy %q", replay, why)
	}
}

// TestGoTestWhyReadsTheKeptTrace: a trace kept among the artifacts
// (ORRERY_ARTIFACTS) is there already: the why command names it from the
// module's root, under the package's directory when the setting was
// relative, as is when it was absolute.
func TestGoTestWhyReadsTheKeptTrace(t *testing.T) {
	h := hints("./kv", "TestKV")
	for _, tc := range []struct{ kept, want string }{
		{filepath.Join("art", "kv", "TestKV", "0x2a", "trace.jsonl"), "go tool orrery trace why kv/art/kv/TestKV/0x2a/trace.jsonl 84"},
		{"/tmp/art/kv/TestKV/0x2a/trace.jsonl", "go tool orrery trace why /tmp/art/kv/TestKV/0x2a/trace.jsonl 84"},
	} {
		if got := h.WhyKept("ORRERY_SEED=0x2a go test -run '^TestKV$' ./kv", tc.kept, 84); got != tc.want {
			t.Errorf("kept at %s: why %q, want %q", tc.kept, got, tc.want)
		}
	}
}
