package orrery

import (
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The flags of Test, registered on the go test command line.
var testFlags = struct {
	seeds       *int
	seed        *string
	trace       *string
	determinism *bool
	parallel    *int
	bugs        *string
	swarm       *bool
	catalog     *string
	report      *string
	watchdog    *time.Duration
}{
	seeds:       flag.Int("orrery.seeds", 100, "number of seeds each orrery.Test runs"),
	seed:        flag.String("orrery.seed", "", "replay one seed (hex 0x... or decimal)"),
	trace:       flag.String("orrery.trace", "", "write the JSON Lines trace of the replayed (or first failing) seed to this file"),
	determinism: flag.Bool("orrery.check-determinism", false, "run every seed twice and compare trace hashes"),
	parallel:    flag.Int("orrery.parallel", runtime.GOMAXPROCS(0), "seeds run at once"),
	bugs:        flag.String("orrery.bug", "", "comma-separated planted bugs to switch on"),
	swarm:       flag.Bool("orrery.swarm", false, "swarm testing: each seed switches every fault family on or off and draws its level"),
	catalog:     flag.String("orrery.catalog", "", "fail the run if an assertion in the Go files under this directory was never reached"),
	report:      flag.String("orrery.report", "", "write the JSON report (every failing seed, in full) to this file"),
	watchdog:    flag.Duration("orrery.watchdog", 0, "real time one step of a seed may take before its task is reported as blocked outside the simulation (default 10s, negative: off)"),
}

// Test runs s in a go test: 100 seeds by default across all cores, each
// failing seed reported as a test failure with the command that replays
// it, and the run failed if a Sometimes-family assertion never held. The
// -orrery.seeds, -orrery.seed, -orrery.trace, -orrery.check-determinism,
// -orrery.parallel, -orrery.bug, -orrery.swarm and -orrery.watchdog flags
// change what it runs; -orrery.report writes the JSON report.
func Test(t testing.TB, s Simulation) {
	t.Helper()
	if *testFlags.swarm {
		s.Chaos.Swarm = true
	}
	opts, closeTrace, err := testOptions(t)
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	rep, err := Run(s, opts)
	if cerr := closeTrace(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	if path := *testFlags.report; path != "" {
		if err := writeFileAtomically(path, rep.writeJSONTo); err != nil {
			t.Errorf("orrery: report: %v", err)
		}
	}
	reportToTest(t, rep)
}

func testOptions(t testing.TB) (Options, func() error, error) {
	f := testFlags
	opts := Options{Seeds: *f.seeds, Parallel: *f.parallel, CheckDeterminism: *f.determinism, Catalog: *f.catalog,
		Watchdog: *f.watchdog}
	if *f.bugs != "" {
		opts.Bugs = strings.Split(*f.bugs, ",")
	}
	if *f.seed != "" {
		seed, err := ParseSeed(*f.seed)
		if err != nil {
			return opts, nil, err
		}
		opts.Replay = []uint64{seed}
	}
	opts.ReplayCommand = goTestReplay(t.Name(), opts.Bugs, *f.swarm, opts.Watchdog)
	closeTrace := func() error { return nil }
	if *f.trace != "" {
		file, err := os.Create(*f.trace)
		if err != nil {
			return opts, nil, fmt.Errorf("trace: %w", err)
		}
		opts.Trace, closeTrace = file, file.Close
	}
	return opts, closeTrace, nil
}

// ParseSeed reads a seed as the replay commands print it, hex with a 0x
// prefix ("0x2a"), or as decimal ("42"). Nothing else is a seed: no octal,
// binary or underscores, and no leading zero in decimal, which would read
// as octal to some.
func ParseSeed(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	base, digits := 10, t
	if rest, ok := strings.CutPrefix(strings.ToLower(t), "0x"); ok {
		base, digits = 16, rest
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil || (base == 10 && len(digits) > 1 && digits[0] == '0') {
		return 0, fmt.Errorf("seed %q: want a 64-bit number, hex (0x2a) or decimal (42)", s)
	}
	return v, nil
}

// goTestHints are the hints of a summary printed by Test. go test runs in
// the package's directory, where -orrery.trace writes its file, and the
// replay commands from the module's root.
var goTestHints = tableHints{
	listAll: "-orrery.report=FILE lists them all",
	why: func(replay, file string, seq uint64) (string, string) {
		return replay + " -orrery.trace=" + file,
			fmt.Sprintf("go run github.com/orrerysim/orrery/cmd/orrery trace why %s %d", path.Join(packageDir(), file), seq)
	},
}

// reportToTest prints the summary once: as the test's failure when the run
// failed (the table lists the failing seeds and the assertions never
// reached), in the -v log otherwise.
func reportToTest(t testing.TB, rep *Report) {
	t.Helper()
	var b strings.Builder
	_ = rep.writeTable(&b, goTestHints)
	if rep.OK() {
		t.Logf("\n%s", b.String())
		return
	}
	t.Errorf("\n%s", b.String())
}

// goTestReplay returns the go test command that replays a seed of the test
// called name, run with the planted bugs, swarm flag and watchdog limit
// given (a step that a longer limit let through fails under a shorter one).
func goTestReplay(name string, bugs []string, swarm bool, watchdog time.Duration) func(uint64) string {
	pkg := packageDir()
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	run := strings.Join(parts, "/")
	extra := ""
	if len(bugs) > 0 {
		extra = " -orrery.bug=" + strings.Join(bugs, ",")
	}
	if swarm {
		extra += " -orrery.swarm"
	}
	if watchdog != 0 {
		extra += " -orrery.watchdog=" + watchdog.String()
	}
	return func(seed uint64) string {
		return fmt.Sprintf("go test -run '%s' %s -orrery.seed=%#x%s", run, pkg, seed, extra)
	}
}

// packageDir returns the test's package directory relative to its module's
// root ("./examples/bank"), or "." when it cannot tell.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return "."
		}
	}
}
