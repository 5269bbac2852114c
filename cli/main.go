// Package cli is the command line of simulation binaries: a main of your
// own gives its simulations the run, replay, list and report merge
// commands and the trace tools of cmd/orrery,
//
//	func main() { cli.Main(bank.Simulation(bank.Options{})) }
//
// It is what a simulation binary links, not the code that ships: package
// orrery does not import it.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert/catalog"
	cli "github.com/orrerysim/orrery/internal/cli"
	"github.com/orrerysim/orrery/internal/outfile"
	"github.com/orrerysim/orrery/trace"
)

// Main is the main function of a simulation binary: it gives the
// simulations sims the commands run, replay and list, adds report merge
// and the trace tools, runs the command line and exits. Exit codes:
//
//	0    everything passed
//	1    a seed failed (or nondeterminism was found, or traces differ)
//	2    a usage error or bad input, with one line on standard error
//	3    a crash of Orrery itself (a bug), with its stack on standard error
//	130  interrupted by SIGINT (143: SIGTERM): the seeds that ran are
//	     summarised and the report is written, marked incomplete
//
// A second SIGINT or SIGTERM exits at once.
//
//	func main() { cli.Main(bank.Simulation(bank.Options{})) }
func Main(sims ...orrery.Simulation) {
	MainWith(nil, sims...)
}

// MainWith is Main with commands of the program's own added, such as
// cmd/orrery's vet.
func MainWith(cmds []Command, sims ...orrery.Simulation) {
	os.Exit(mainArgs(programName(), os.Args[1:], os.Stdout, os.Stderr, cmds, sims))
}

// Command is a command a program adds to the command line of Main: Run
// takes the arguments after the command's name, as given from the first
// one that is not a flag, and returns the exit code.
type Command struct {
	Name string
	Help string // one sentence, for the help
	Run  func(args []string, stdout, stderr io.Writer) int
}

// MainArgs is Main for tests and wrappers: prog is how replay commands
// name the program, args the command line without it; it returns the exit
// code. It handles SIGINT and SIGTERM while run and replay work.
func MainArgs(prog string, args []string, stdout, stderr io.Writer, sims ...orrery.Simulation) int {
	return mainArgs(prog, args, stdout, stderr, nil, sims)
}

// MainWithArgs is MainWith for tests and wrappers, as MainArgs is Main.
func MainWithArgs(prog string, args []string, stdout, stderr io.Writer, cmds []Command, sims ...orrery.Simulation) int {
	return mainArgs(prog, args, stdout, stderr, cmds, sims)
}

func mainArgs(prog string, args []string, stdout, stderr io.Writer, cmds []Command, sims []orrery.Simulation) int {
	set := &simSet{prog: prog, sims: sims}
	opts := []kong.Option{kong.Name(prog),
		kong.DynamicCommand("run", "Run many seeds of a simulation and summarise them.", "", &runCmd{set: set}),
		kong.DynamicCommand("replay", "Run one seed of a simulation, printing its trace.", "", &replayCmd{set: set}),
		kong.DynamicCommand("explore", "Search a simulation's timelines, branching from each newly reached assertion and each better numeric watermark.", "", &exploreCmd{set: set}),
		kong.DynamicCommand("shrink", "Shrink a failing seed's injected faults to the few that still make it fail.", "", &shrinkCmd{set: set}),
		kong.DynamicCommand("list", "List the simulations this program holds.", "", &listCmd{set: set}),
		kong.DynamicCommand("report", "Work with JSON reports of runs.", "", &reportCmd{}),
	}
	for _, c := range cmds {
		opts = append(opts, kong.DynamicCommand(c.Name, c.Help, "", &addedCmd{cmd: c}))
	}
	return cli.Run(args, stdout, stderr, opts...)
}

// addedCmd is a Command of the program's own.
type addedCmd struct {
	cmd  Command
	Args []string `arg:"" optional:"" passthrough:"" help:"The command's arguments."`
}

// Run runs the command with its arguments.
func (c *addedCmd) Run(e *cli.Env) error {
	if code := c.cmd.Run(c.Args, e.Stdout(), e.Stderr()); code != 0 {
		return cli.ExitStatus(code)
	}
	return nil
}

// simSet is the simulations a program holds.
type simSet struct {
	prog string
	sims []orrery.Simulation
}

func (s *simSet) find(name string) (orrery.Simulation, error) {
	var names []string
	for _, sim := range s.sims {
		if sim.Name == name {
			return sim, nil
		}
		names = append(names, sim.Name)
	}
	return orrery.Simulation{}, fmt.Errorf("no simulation %q (this program has: %s)", name, strings.Join(names, ", "))
}

// seedFlags are the flags run and replay share: what changes the execution
// of a seed is in both, so that a replay command can repeat a run's seed.
type seedFlags struct {
	Bug          []string      `help:"Switch on a planted bug of the simulation (repeatable)."`
	Swarm        bool          `help:"Swarm testing: each seed switches every fault family the simulation declares on or off and draws its level."`
	Watchdog     time.Duration `help:"Real time one step of a seed may take before its task is reported as blocked outside the simulation (default 10s; negative: off; a task parked on a Go channel, a sync lock or time.Sleep: a quarter of it, at most 1s)."`
	CheckTimeout time.Duration `help:"Real time each whole-seed check (linearizability) may take; a seed whose check runs out is unknown, not passed (default 1m)."`
	Artifacts    string        `help:"Write each failing seed's trace, report entry and check files (porcupine's page) into DIR/<seed>/." placeholder:"DIR"`
	Trace        string        `help:"Write the JSON Lines trace (of the replayed seed, or of the first failing one) to this file." type:"path"`
	Report       string        `help:"Write the report as JSON to this file (also when interrupted, marked incomplete)." type:"path"`

	CryptoRandFromOS bool `help:"Serve crypto/rand to the simulation's tasks from the operating system, not the seed: their reads show in the trace (from=os) and no longer replay."`
}

// apply sets the flags' changes on sim.
func (f seedFlags) apply(sim *orrery.Simulation) {
	if f.Swarm {
		sim.Chaos.Swarm = true
	}
}

// options sets the flags' options of the run on opts.
func (f seedFlags) options(opts *orrery.Options) {
	opts.CheckTimeout, opts.Artifacts = f.CheckTimeout, f.Artifacts
	opts.CryptoRandFromOS = f.CryptoRandFromOS
}

// runCmd is orrery run.
type runCmd struct {
	set              *simSet
	Sim              string        `arg:"" help:"The simulation to run."`
	Seeds            *int          `help:"How many seeds to run (default 100; with --budget or --until-covered, no limit but theirs)."`
	Budget           time.Duration `help:"Stop after this much real time (e.g. 30s, 5m); it must give time for at least one seed."`
	UntilCovered     bool          `help:"Stop once every Sometimes assertion has held."`
	FailFast         bool          `help:"Stop at the first failing seed in seed order (the report holds it and every seed before it)."`
	Parallel         int           `help:"Seeds run at once (default: every core)."`
	CheckDeterminism bool          `help:"Run each seed twice; a seed whose runs differ (trace hash, or how it fails) is a nondeterminism finding."`
	Shard            string        `help:"Run slice K of N of the seeds (K/N, 1-based); default from JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT."`
	FirstSeed        uint64        `help:"Start at this seed number (seed numbers, not seeds: the run covers numbers N to N+seeds-1), so that a run covers seeds no earlier one did; a nightly sweep passes a date-derived number." placeholder:"N"`
	Catalog          string        `help:"Fail the run if an assertion in the Go files under this directory was never reached." type:"existingdir"`
	Shrink           time.Duration `help:"Shrink the first failing seed's faults to those it needs, for at most this long (0: do not)." default:"10s"`
	seedFlags
}

// Run runs the seeds and prints the summary.
func (c *runCmd) Run(e *cli.Env) error {
	sim, err := c.set.find(c.Sim)
	if err != nil {
		return err
	}
	seeds, err := c.seeds()
	if err != nil {
		return err
	}
	shard, err := parseShard(c.Shard, e.Getenv)
	if err != nil {
		return err
	}
	c.apply(&sim)
	opts := orrery.Options{Seeds: seeds, Budget: c.Budget, UntilCovered: c.UntilCovered, FailFast: c.FailFast,
		Parallel: c.Parallel, CheckDeterminism: c.CheckDeterminism, FirstSeed: c.FirstSeed, Shard: shard, Bugs: c.Bug,
		Watchdog: c.Watchdog, ReplayCommand: c.set.replayCommand(c.Sim, c.seedFlags)}
	c.options(&opts)
	if c.Catalog != "" {
		sites, err := catalog.Find(c.Catalog)
		if err != nil {
			return err
		}
		opts.Catalog = catalog.Results(sites)
	}
	rep, err := finish(e, sim, opts, c.Trace, c.Report)
	if rep != nil && c.Shrink > 0 {
		c.shrinkFirst(e, sim, rep)
	}
	return err
}

// seeds is --seeds: 0 runs nothing unless a budget or coverage stops the
// run, so it is refused alone.
func (c *runCmd) seeds() (int, error) {
	if c.Seeds == nil {
		return 0, nil
	}
	n := *c.Seeds
	if n == 0 && c.Budget == 0 && !c.UntilCovered {
		return 0, errors.New("--seeds 0 runs no seed: leave it out for 100, or give --budget or --until-covered to stop the run")
	}
	if n < 0 {
		return 0, fmt.Errorf("--seeds %d: want a number of seeds, 1 or more", n)
	}
	return n, nil
}

// finish runs sim with opts and prints the summary and, when a seed
// failed, why: the causal chain of its failure from its trace, which is
// streamed to a file (tracePath, or a temporary one). The output paths are
// checked before any seed runs. It writes the report if asked, even when
// the run is interrupted, and returns the exit status: ErrExit1 when the
// run failed, 130 or 143 when a signal stopped it.
func finish(e *cli.Env, sim orrery.Simulation, opts orrery.Options, tracePath, reportPath string) (*orrery.Report, error) {
	if err := checkOutput("--trace", tracePath); err != nil {
		return nil, err
	}
	if err := checkOutput("--report", reportPath); err != nil {
		return nil, err
	}
	tf, err := newTraceFile(tracePath)
	if err != nil {
		return nil, err
	}
	defer tf.discard()
	opts.Trace = tf
	in := e.CatchInterrupts("starting seeds")
	defer in.Release()
	opts.Stop = in.Stop()
	bar := &progress{}
	if opts.Log == nil { // a replay's log goes where the bar would
		bar = newProgress(e.Stderr())
		opts.Progress = bar.add
	}
	rep, err := orrery.Run(sim, opts)
	bar.finish() // cleared before the summary is printed
	if err != nil {
		return nil, err
	}
	if err := summarise(e, rep, tf, reportPath, in.Err()); err != cli.ErrExit1 {
		return nil, err // passed, or stopped: nothing to shrink
	}
	return rep, cli.ErrExit1
}

// summarise prints the summary of a run, keeps its trace, writes its
// report and explains its first failure. A file that cannot be written is
// one line on standard error: the exit status still says how the run went.
func summarise(e *cli.Env, rep *orrery.Report, tf *traceFile, reportPath string, stopped error) error {
	if err := tf.keep(rep, stopped != nil); err != nil {
		fmt.Fprintf(e.Stderr(), "orrery: %v\n", err)
	}
	if err := rep.WriteTable(e.Stdout()); err != nil {
		return err
	}
	if reportPath != "" {
		if err := outfile.WriteAtomically(reportPath, rep.WriteJSON); err != nil {
			fmt.Fprintf(e.Stderr(), "orrery: --report %s: %v\n", reportPath, err)
		}
	}
	if rep.Failed > 0 {
		explain(e.Stdout(), rep.Failures[0], tf.path())
	}
	switch {
	case stopped != nil:
		return stopped
	case !rep.OK():
		return cli.ErrExit1
	}
	return nil
}

// explain prints the causal chain of a failing seed from its trace file,
// when the trace holds the failure: its default length is capped.
func explain(w io.Writer, f orrery.SeedFailure, path string) {
	if path == "" {
		return
	}
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	chain, err := trace.Why(file, 0)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "\nwhy seed %#x failed (orrery trace why on its trace):\n", f.Seed)
	_ = chain.Format(w)
}

// replayCommand returns the command that replays a seed of the simulation
// called name run with f: the same planted bugs, the same swarm mode, the
// same watchdog (a seed failed as blocked fails so again).
func (s *simSet) replayCommand(name string, f seedFlags) func(uint64) string {
	return func(seed uint64) string {
		cmd := fmt.Sprintf("%s replay %s --seed %#x", s.prog, name, seed)
		for _, b := range f.Bug {
			cmd += " --bug " + b
		}
		if f.Swarm {
			cmd += " --swarm"
		}
		if f.Watchdog != 0 {
			cmd += " --watchdog " + f.Watchdog.String()
		}
		if f.CheckTimeout != 0 {
			cmd += " --check-timeout " + f.CheckTimeout.String()
		}
		if f.CryptoRandFromOS {
			cmd += " --crypto-rand-from-os"
		}
		return cmd
	}
}

// replayCmd is orrery replay.
type replayCmd struct {
	set  *simSet
	Sim  string `arg:"" help:"The simulation to run."`
	Seed string `required:"" help:"The seed to replay (hex 0x... or decimal)."`
	Log  string `help:"What the trace on standard error shows, in the ORRERY_LOG syntax (default: $ORRERY_LOG, else info)."`
	// Timeline is a timeline of the seed that explore printed.
	Timeline string `help:"Follow these branch points of the main random stream, count@seed,... as orrery explore prints them." placeholder:"N@SEED,..."`
	// Faults is the injected faults to keep, as orrery shrink prints them.
	Faults string `help:"Let only these injected faults happen (Op:Target#N or Op:Target@SECONDS, comma-separated, or none), as orrery shrink prints them." placeholder:"FAULT,..."`
	seedFlags
}

// Run replays the seed.
func (c *replayCmd) Run(e *cli.Env) error {
	sim, err := c.set.find(c.Sim)
	if err != nil {
		return err
	}
	seed, err := orrery.ParseSeed(c.Seed)
	if err != nil {
		return err
	}
	filter, err := c.logFilter(e.Getenv)
	if err != nil {
		return err
	}
	tl, err := parseTimeline(c.Timeline)
	if err != nil {
		return err
	}
	c.apply(&sim)
	opts := orrery.Options{Replay: []uint64{seed}, Bugs: c.Bug, Log: e.Stderr(), LogFilter: filter,
		Watchdog: c.Watchdog, ReplayCommand: c.set.replayCommand(c.Sim, c.seedFlags),
		Timeline: tl, ReplayTimeline: c.set.replayTimeline(c.Sim, c.seedFlags)}
	if opts.Faults, err = parseFaults(c.Faults); err != nil {
		return err
	}
	if f := opts.Faults; f != nil {
		rt := c.set.replayKeeping(c.Sim, c.seedFlags, f)
		opts.ReplayCommand = func(seed uint64) string { return rt(seed, nil) }
		opts.ReplayTimeline = rt
	}
	c.options(&opts)
	_, err = finish(e, sim, opts, c.Trace, c.Report)
	return err
}

// logFilter is --log, else $ORRERY_LOG, else info; a filter that does not
// parse is an error that names where it came from.
func (c *replayCmd) logFilter(getenv func(string) string) (string, error) {
	spec, from := c.Log, "--log"
	if spec == "" {
		spec, from = getenv("ORRERY_LOG"), "ORRERY_LOG"
	}
	if spec == "" {
		return "info", nil
	}
	if _, err := trace.ParseFilter(spec); err != nil {
		return "", fmt.Errorf("%s %q: %w", from, spec, err)
	}
	return spec, nil
}

// listCmd is orrery list.
type listCmd struct{ set *simSet }

// Run lists the simulations.
func (c *listCmd) Run(e *cli.Env) error {
	for _, s := range c.set.sims {
		line := s.Name
		if len(s.Bugs) > 0 {
			line += " (planted bugs: " + strings.Join(s.Bugs, ", ") + ")"
		}
		fmt.Fprintln(e.Stdout(), line)
	}
	return nil
}

// parseShard reads --shard K/N, or the Kubernetes Indexed Job variables
// when the flag is absent.
func parseShard(flag string, getenv func(string) string) (orrery.Shard, error) {
	if flag == "" {
		idx, count := getenv("JOB_COMPLETION_INDEX"), getenv("JOB_COMPLETION_COUNT")
		if idx == "" {
			return orrery.Shard{}, nil
		}
		if count == "" {
			return orrery.Shard{}, errors.New("shard: JOB_COMPLETION_INDEX is set but JOB_COMPLETION_COUNT is not")
		}
		k, err1 := strconv.Atoi(idx)
		n, err2 := strconv.Atoi(count)
		if err1 != nil || err2 != nil || k < 0 || n < 1 || k >= n {
			return orrery.Shard{}, fmt.Errorf("shard: JOB_COMPLETION_INDEX=%q JOB_COMPLETION_COUNT=%q is not a slice of the run", idx, count)
		}
		return orrery.Shard{Index: k, Count: n}, nil
	}
	ks, ns, ok := strings.Cut(flag, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return orrery.Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N, such as 3/16", flag)
	}
	return orrery.Shard{Index: k - 1, Count: n}, nil
}

// reportCmd groups the report tools.
type reportCmd struct {
	Merge mergeCmd `cmd:"" help:"Combine the JSON reports of the shards of a run into one."`
}

// mergeCmd is orrery report merge.
type mergeCmd struct {
	Files     []string `arg:"" help:"The JSON reports to merge, or directories whose .json files are." type:"path"`
	Output    string   `short:"o" help:"Write the merged JSON report here (default: print the summary only)." type:"path"`
	AllShards bool     `help:"Refuse the merge unless the reports hold every shard of the run (a final merge of a sweep)."`
}

// Run merges the reports.
func (c *mergeCmd) Run(e *cli.Env) error {
	if err := checkOutput("--output", c.Output); err != nil {
		return err
	}
	merged, err := c.merge()
	if err != nil {
		return err
	}
	if err := merged.WriteTable(e.Stdout()); err != nil {
		return err
	}
	if c.Output != "" {
		if err := outfile.WriteAtomically(c.Output, merged.WriteJSON); err != nil {
			return err
		}
	}
	if !merged.OK() {
		return cli.ErrExit1
	}
	return nil
}

// merge reads the reports and merges them.
func (c *mergeCmd) merge() (*orrery.Report, error) {
	files, err := reportFiles(c.Files)
	if err != nil {
		return nil, err
	}
	var reports []*orrery.Report
	for _, name := range files {
		r, err := readReportFile(name)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
	}
	merged, err := orrery.MergeReports(reports...)
	if err != nil {
		return nil, err
	}
	if missing := merged.MissingShards(); c.AllShards && len(missing) > 0 {
		return nil, fmt.Errorf("merge: --all-shards: the reports hold shards %s; missing: %s", merged.Shard, intList(missing))
	}
	return merged, nil
}

// reportFiles expands the directories among names into the .json files
// they hold, sorted.
func reportFiles(names []string) ([]string, error) {
	var out []string
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, pathCause(err))
		}
		if !fi.IsDir() {
			out = append(out, name)
			continue
		}
		found, err := filepath.Glob(filepath.Join(name, "*.json"))
		if err != nil || len(found) == 0 {
			return nil, fmt.Errorf("%s: a directory with no .json report", name)
		}
		out = append(out, found...)
	}
	return out, nil
}

func intList(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func readReportFile(name string) (*orrery.Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := orrery.ReadReport(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}
