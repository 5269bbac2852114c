// Package orrerytest runs Orrery simulations inside go test:
//
//	func TestBank(t *testing.T) { orrerytest.Test(t, bank.Simulation(bank.Options{})) }
//
// Each setting of Test is a -orrery.NAME flag of the test binary and an
// ORRERY_NAME environment variable; the flag wins over the variable. The
// variables reach every package of a go test run, flags only those that
// import this package, so one command drives every simulation of a
// repository:
//
//	ORRERY_SEEDS=1000 go test ./...
//
// The settings (ORRERY_CHECK_TIMEOUT is the flag
// -orrery.check-timeout, and so on):
//
//   - ORRERY_SEEDS: how many seeds, default 100.
//   - ORRERY_FIRST_SEED: the seed number to start at, default 0.
//   - ORRERY_SEED: replay one seed, 0x2a or 42.
//   - ORRERY_TIMELINE: with ORRERY_SEED, the timeline of it that the
//     explorer printed.
//   - ORRERY_FAULTS: with ORRERY_SEED, the injected faults that may happen,
//     as Shrink prints them.
//   - ORRERY_TRACE: the JSON Lines trace of the replayed or first failing
//     seed.
//   - ORRERY_CHECK_DETERMINISM: run every seed twice.
//   - ORRERY_CRYPTO_RAND_FROM_OS: crypto/rand from the operating system,
//     not the seed, to see what depends on it.
//   - ORRERY_PARALLEL: seeds at once, default GOMAXPROCS.
//   - ORRERY_BUG: planted bugs, comma-separated.
//   - ORRERY_SWARM: swarm testing.
//   - ORRERY_CATALOG: a source directory whose assertions must all be
//     reached.
//   - ORRERY_REPORT: the JSON report.
//   - ORRERY_WATCHDOG: the real time a step may take, default 10s.
//   - ORRERY_CHECK_TIMEOUT: the real time each whole-seed check
//     (linearizability) may take, default 1m; a seed whose check runs out
//     is unknown, not passed.
//   - ORRERY_SHRINK: how long to shrink the first failing seed's faults,
//     default 10s, 0 for not at all.
//   - ORRERY_ARTIFACTS: a directory that keeps each failing seed's trace,
//     report entry and check files (porcupine's page), in
//     DIR/<package>/<test>/<seed>/.
//   - ORRERY_LOG: what the text trace of a replayed seed on standard error
//     shows (ORRERY_SEED=42 ORRERY_LOG=trace go test -run TestBank).
//
// A value that does not parse fails the test.
//
// Flags are registered on the go test command line when this package is
// imported, which only test code does: the code that ships (orrery.Publish,
// assert.Always) links neither this package nor package testing.
package orrerytest

import (
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert/catalog"
	"github.com/orrerysim/orrery/internal/outfile"
	"github.com/orrerysim/orrery/internal/shellword"
)

// cmdline is the settings' flags on the go test command line.
var cmdline = register(flag.CommandLine)

// Test runs s in a go test: 100 seeds by default across all cores, each
// failing seed reported as a test failure with the command that replays
// it, and the run failed if a Sometimes-family assertion never held. The
// first failing seed's faults are then shrunk (see orrery.Shrink) for up
// to ORRERY_SHRINK (10s), and the log shows the ones it needs with the
// command that replays it with only those (ORRERY_FAULTS).
//
// The trace and report files are per test, so that the tests of one go
// test run do not overwrite each other's: a file name gets the test's name
// before its extension (ORRERY_TRACE=out.jsonl writes out.TestBank.jsonl,
// in the package's directory as go test runs there), and its package's too
// when the name is absolute; a directory (an existing one, or a name that
// ends in a slash) gets a file per test under the package's path
// (ORRERY_REPORT=/tmp/r/ writes /tmp/r/examples/bank/TestBank.json).
func Test(t testing.TB, s orrery.Simulation) {
	t.Helper()
	set, err := cmdline.resolve(os.Getenv)
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	run(t, s, set)
}

// run is Test with its settings.
func run(t testing.TB, s orrery.Simulation, set settings) {
	t.Helper()
	if set.swarm {
		s.Chaos.Swarm = true
	}
	opts, closeTrace, err := options(t, set)
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	rep, err := orrery.Run(s, opts)
	if cerr := closeTrace(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	if set.report != "" {
		if err := writeReport(t, set.report, rep); err != nil {
			t.Errorf("orrery: report: %v", err)
		}
	}
	reportToTest(t, rep, set)
	shrinkFirst(t, s, rep, set)
}

func writeReport(t testing.TB, setting string, rep *orrery.Report) error {
	name, err := testFile(setting, packageDir(), t.Name(), ".json")
	if err != nil {
		return err
	}
	return outfile.WriteAtomically(name, rep.WriteJSON)
}

// options are the run's options from the settings.
func options(t testing.TB, set settings) (orrery.Options, func() error, error) {
	opts := orrery.Options{Seeds: set.seeds, Parallel: set.parallel, CheckDeterminism: set.determinism,
		Bugs: set.bugs, Watchdog: set.watchdog, CryptoRandFromOS: set.cryptoFromOS}
	if set.replay {
		opts.Replay = []uint64{set.seed}
	} else {
		opts.FirstSeed = set.firstSeed // a replay names its seed
	}
	if set.log != "" {
		opts.Log, opts.LogFilter = os.Stderr, set.log
	}
	if set.catalog != "" {
		sites, err := catalog.Find(set.catalog)
		if err != nil {
			return opts, nil, err
		}
		opts.Catalog = catalog.Results(sites)
	}
	opts.ReplayCommand = goTestReplay(packageDir(), t.Name(), set)
	opts.Timeline, opts.ReplayTimeline = set.timeline, goTestReplayTimeline(opts.ReplayCommand)
	opts.CheckTimeout = set.checkTime
	opts.Faults = set.faults
	if set.artifacts != "" {
		opts.Artifacts = filepath.Join(set.artifacts, filepath.FromSlash(strings.TrimPrefix(packageDir(), "./")), fileName(t.Name()))
	}
	closeTrace := func() error { return nil }
	if set.trace != "" {
		name, err := testFile(set.trace, packageDir(), t.Name(), ".jsonl")
		if err != nil {
			return opts, nil, fmt.Errorf("trace: %w", err)
		}
		file, err := os.Create(name)
		if err != nil {
			return opts, nil, fmt.Errorf("trace: %w", err)
		}
		opts.Trace, closeTrace = file, file.Close
	}
	return opts, closeTrace, nil
}

// testFile is the file of the test called test, in package pkg ("./x",
// or "."), for the setting: the setting's file name with the test's name
// before its extension (and the package's, for an absolute name), or,
// when the setting is a directory, the test's file under the package's
// path, directories made.
func testFile(setting, pkg, test, ext string) (string, error) {
	if strings.HasSuffix(setting, "/") || isDir(setting) {
		dir := filepath.Join(setting, filepath.FromSlash(strings.TrimPrefix(pkg, "./")))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		return filepath.Join(dir, fileName(test)+ext), nil
	}
	stem, e := setting, filepath.Ext(setting)
	if e != "" {
		stem = strings.TrimSuffix(setting, e)
	} else {
		e = ext
	}
	name := stem + "." + fileName(test)
	if filepath.IsAbs(setting) && pkg != "." {
		name = stem + "." + fileName(strings.TrimPrefix(pkg, "./")) + "." + fileName(test)
	}
	return name + e, nil
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// fileName is s with what a file name should not hold (the slashes of a
// subtest or a package path, spaces) turned into '-'.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ' ' || r == ':' || r < ' ':
			return '-'
		}
		return r
	}, s)
}

// hints are the hints of a summary printed by Test: the replay commands
// set environment variables, which reach the package wherever go test
// runs, and the trace file is the one Test writes for the test, in its
// package's directory, named from the module's root. The trace tools run
// as the module's tool (go get -tool github.com/orrerysim/orrery/cmd/orrery),
// which builds the version of orrery the module requires, from its root.
func hints(pkg, test string) orrery.TableHints {
	return orrery.TableHints{
		ListAll: "ORRERY_REPORT=FILE lists them all",
		Why: func(replay, file string, seq uint64) (string, string) {
			written, _ := testFile(file, pkg, test, ".jsonl")
			return "ORRERY_TRACE=" + file + " " + replay,
				fmt.Sprintf("go tool orrery trace why %s %d", path.Join(pkg, filepath.ToSlash(written)), seq)
		},
		KeepArtifacts: "ORRERY_ARTIFACTS=DIR",
		WhyKept: func(_, trace string, seq uint64) string {
			if !filepath.IsAbs(trace) { // relative to the package's directory
				trace = path.Join(pkg, filepath.ToSlash(trace))
			}
			return fmt.Sprintf("go tool orrery trace why %s %d", trace, seq)
		},
	}
}

// reportToTest prints the summary once: as the test's failure when the run
// failed (the table lists the failing seeds and the assertions never
// reached), in the -v log otherwise.
func reportToTest(t testing.TB, rep *orrery.Report, set settings) {
	t.Helper()
	var b strings.Builder
	_ = rep.WriteTableWith(&b, hints(packageDir(), t.Name()))
	if rep.OK() {
		t.Logf("\n%s", b.String())
		return
	}
	t.Errorf("\n%s", b.String())
}

// goTestReplay returns the go test command that replays a seed of the test
// called name in package pkg, typed at the module's root, run with the
// planted bugs, swarm mode and watchdog limit of set (a step that a longer
// limit let through fails under a shorter one). The settings are
// environment variables, which every package takes.
func goTestReplay(pkg, name string, set settings) func(uint64) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	run := strings.Join(parts, "/")
	env := replayEnv(set)
	return func(seed uint64) string {
		return fmt.Sprintf("ORRERY_SEED=%#x%s go test -run '%s' %s", seed, env, run, pkg)
	}
}

// replayEnv is the environment variables of a replay command that set
// what changes a seed's execution, each after a space.
func replayEnv(set settings) string {
	env := ""
	if len(set.bugs) > 0 {
		env += " ORRERY_BUG=" + strings.Join(set.bugs, ",")
	}
	if set.swarm {
		env += " ORRERY_SWARM=1"
	}
	if set.watchdog != 0 {
		env += " ORRERY_WATCHDOG=" + set.watchdog.String()
	}
	if set.checkTime != 0 {
		env += " ORRERY_CHECK_TIMEOUT=" + set.checkTime.String()
	}
	if set.cryptoFromOS {
		env += " ORRERY_CRYPTO_RAND_FROM_OS=1"
	}
	if set.faults != nil {
		env += " ORRERY_FAULTS=" + shellword.Quote(orrery.FormatFaults(set.faults))
	}
	return env
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
