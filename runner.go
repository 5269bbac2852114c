package orrery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/trace"
)

// Options say which seeds a run covers, how, and when it stops. The zero
// value runs 100 seeds on every core.
type Options struct {
	// Seeds is how many seeds to run (default 100). With Budget or
	// UntilCovered, zero means no limit but theirs.
	Seeds int
	// Replay runs exactly these seeds instead (a failing seed, to debug).
	Replay []uint64
	// Parallel is how many seeds run at once (default GOMAXPROCS).
	Parallel int
	// Budget stops the run after this much real time (seeds under way
	// finish).
	Budget time.Duration
	// UntilCovered stops the run once every Sometimes-family assertion has
	// held at least once.
	UntilCovered bool
	// CheckDeterminism runs every seed twice and fails it if the two trace
	// hashes differ, showing where the traces part.
	CheckDeterminism bool
	// Shard runs one disjoint slice of the seeds (see Shard).
	Shard Shard
	// Bugs switches planted bugs on (see Planted).
	Bugs []string
	// Trace receives the JSON Lines trace of the replayed seed, or of the
	// first failing seed (run again with tracing once the sweep is over).
	Trace io.Writer
	// Log and LogFilter are the human-readable trace of a replayed seed,
	// as in sim.Config; runs of many seeds print none.
	Log       io.Writer
	LogFilter string
	// Catalog is a source directory whose assertion call sites the run
	// must reach: a Sometimes or Reachable under it that no seed evaluated
	// fails the run too (see assert.Catalog).
	Catalog string
	// Progress, when it is a terminal, shows a progress bar.
	Progress io.Writer
	// ReplayCommand returns the command that replays a seed; the default
	// names the Go API.
	ReplayCommand func(seed uint64) string
}

// Shard is slice Index (0-based) of Count of a run's seeds: seed number i
// belongs to shard i mod Count. The zero Shard is the whole run.
type Shard struct{ Index, Count int }

// String prints the shard as K/N, 1-based as --shard takes it.
func (s Shard) String() string {
	if s.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index+1, s.Count)
}

func (o *Options) validate(s *Simulation) error {
	switch {
	case o.Seeds < 0:
		return fmt.Errorf("seeds: %d is negative", o.Seeds)
	case o.Parallel < 0:
		return fmt.Errorf("parallel: %d is negative", o.Parallel)
	case o.Budget < 0:
		return fmt.Errorf("budget: %v is negative", o.Budget)
	case o.Shard.Count < 0 || o.Shard.Index < 0 || (o.Shard.Count > 0 && o.Shard.Index >= o.Shard.Count):
		return fmt.Errorf("shard: %d/%d is not a slice of the run", o.Shard.Index+1, o.Shard.Count)
	}
	for _, b := range o.Bugs {
		if !slices.Contains(s.Bugs, b) {
			return fmt.Errorf("bug %q: simulation %s plants %s", b, s.Name, listOrNone(s.Bugs))
		}
	}
	return nil
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "no bugs"
	}
	return "only " + strings.Join(xs, ", ")
}

// Run runs the seeds of s that opts ask for and returns the report. It
// fails only when s or opts are invalid; failing seeds are in the report.
func Run(s Simulation, opts Options) (*Report, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := opts.validate(&s); err != nil {
		return nil, err
	}
	r := newRunner(&s, opts)
	if opts.Catalog != "" {
		sites, err := assert.Catalog(opts.Catalog)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		r.report.Asserts = assert.FromCatalog(sites)
		r.covered = r.report.Asserts
	}
	r.sweep()
	if err := r.traceFirstFailure(); err != nil {
		return r.report, err
	}
	return r.report, nil
}

// runner is one Run in progress.
type runner struct {
	sim     *Simulation
	opts    Options
	report  *Report
	start   time.Time
	next    atomic.Uint64 // next seed number to hand out
	stop    atomic.Bool
	done    atomic.Int64 // seeds finished, for the progress bar
	failed  atomic.Int64
	mu      sync.Mutex      // guards report, shards and covered
	shards  []*Report       // each worker's seeds, merged at the end
	covered []assert.Result // every seed's assertions, for UntilCovered
	bar     *progress
}

func newRunner(s *Simulation, opts Options) *runner {
	if opts.Parallel == 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Seeds == 0 && opts.Budget == 0 && !opts.UntilCovered {
		opts.Seeds = 100
	}
	if opts.ReplayCommand == nil {
		opts.ReplayCommand = func(seed uint64) string {
			return fmt.Sprintf("orrery.Run(sim, orrery.Options{Replay: []uint64{%#x}})", seed)
		}
	}
	return &runner{sim: s, opts: opts, start: time.Now(),
		report: newReport(s, opts)}
}

// sweep runs the seeds on Parallel workers and fills the report.
func (r *runner) sweep() {
	r.bar = newProgress(r.opts.Progress, r.total())
	var wg sync.WaitGroup
	for range r.workers() {
		wg.Go(r.work)
	}
	wg.Wait()
	r.bar.finish()
	rep := r.report
	for _, sh := range r.shards {
		rep.absorb(sh)
	}
	rep.Wall = time.Since(r.start)
	rep.Complete = true
	slices.SortFunc(rep.Failures, func(a, b SeedFailure) int { return cmpU64(a.Seed, b.Seed) })
	if rep.Stopped == "" {
		rep.Stopped = "seeds"
	}
}

func (r *runner) workers() int {
	n := r.opts.Parallel
	if t := r.total(); t > 0 && t < n {
		n = t
	}
	return max(n, 1)
}

// total is how many seeds the run will take, or -1 when a budget or
// coverage decides.
func (r *runner) total() int {
	if len(r.opts.Replay) > 0 {
		return len(r.opts.Replay)
	}
	if r.opts.Seeds == 0 {
		return -1
	}
	n := r.opts.Seeds
	if c := r.opts.Shard.Count; c > 1 {
		n = (n - r.opts.Shard.Index + c - 1) / c
	}
	return n
}

// seed returns the k-th seed this runner runs, or false when there is none.
func (r *runner) seed(k uint64) (uint64, bool) {
	if len(r.opts.Replay) > 0 {
		if k >= uint64(len(r.opts.Replay)) {
			return 0, false
		}
		return r.opts.Replay[k], true
	}
	i := k
	if c := r.opts.Shard.Count; c > 1 {
		i = k*uint64(c) + uint64(r.opts.Shard.Index)
	}
	if r.opts.Seeds > 0 && i >= uint64(r.opts.Seeds) {
		return 0, false
	}
	return SeedAt(i), true
}

// work runs seeds until none is left or a stop rule fires, folding them
// into a report of its own, so that workers share nothing but counters.
func (r *runner) work() {
	local := &Report{}
	defer func() {
		r.mu.Lock()
		r.shards = append(r.shards, local)
		r.mu.Unlock()
	}()
	for !r.stop.Load() {
		seed, ok := r.seed(r.next.Add(1) - 1)
		if !ok {
			return
		}
		if b := r.opts.Budget; b > 0 && time.Since(r.start) > b {
			r.stopAs("budget")
			return
		}
		res, diff := r.runOne(seed)
		r.record(local, res, diff)
	}
}

func (r *runner) stopAs(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.report.Stopped == "" {
		r.report.Stopped = why
	}
	r.stop.Store(true)
}

// runOne runs a seed (twice when checking determinism).
func (r *runner) runOne(seed uint64) (SeedResult, string) {
	o := seedOptions{bugs: r.opts.Bugs, logFilter: "off"}
	if len(r.opts.Replay) == 1 {
		o.trace, o.log, o.logFilter = r.opts.Trace, r.opts.Log, r.opts.LogFilter
	}
	res := runSeed(r.sim, seed, o)
	if !r.opts.CheckDeterminism {
		return res, ""
	}
	again := runSeed(r.sim, seed, seedOptions{bugs: r.opts.Bugs, logFilter: "off"})
	res.Wall += again.Wall
	if again.TraceHash == res.TraceHash {
		return res, ""
	}
	return res, r.divergence(seed, res.TraceHash, again.TraceHash)
}

// record adds a seed to a worker's report and applies the stop rules.
func (r *runner) record(local *Report, res SeedResult, diff string) {
	replay := r.opts.ReplayCommand(res.Seed)
	local.add(res, replay)
	if diff != "" && res.Failure == nil {
		local.Failed++
		local.Failures = append(local.Failures, SeedFailure{Seed: res.Seed, Kind: "nondeterminism",
			Message: diff, Chaos: res.Chaos, Replay: replay})
	}
	failed := r.failed.Load()
	if res.Failure != nil || diff != "" {
		failed = r.failed.Add(1)
	}
	r.bar.update(int(r.done.Add(1)), int(failed))
	if r.opts.UntilCovered && r.cover(res.Asserts) {
		r.stopAs("covered")
	}
}

// cover merges a seed's assertions into the run's and reports whether every
// Sometimes-family assertion has now held.
func (r *runner) cover(asserts []assert.Result) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.covered = assert.Merge(r.covered, asserts)
	return len(assert.Missing(r.covered)) == 0
}

// divergence runs a seed twice more with traces and describes where the
// two runs part.
func (r *runner) divergence(seed, h1, h2 uint64) string {
	head := fmt.Sprintf("two runs of the seed gave trace hashes %#x and %#x", h1, h2)
	res, ok := r.tracedDivergence(seed)
	if !ok {
		return head + fmt.Sprintf(" (%d further pairs of traced runs did not differ: the nondeterminism is intermittent)", tracedPairs)
	}
	var out strings.Builder
	out.WriteString(head + "\n")
	if err := res.Format(&out); err != nil {
		return head
	}
	out.WriteString(culprit(res))
	return strings.TrimRight(out.String(), "\n")
}

// tracedPairs is how many pairs of traced runs divergence tries: a source
// of nondeterminism such as map order can agree by chance.
const tracedPairs = 5

// tracedDivergence runs a seed in traced pairs until two runs differ, and
// returns where.
func (r *runner) tracedDivergence(seed uint64) (trace.DiffResult, bool) {
	for range tracedPairs {
		var a, b bytes.Buffer
		runSeed(r.sim, seed, seedOptions{bugs: r.opts.Bugs, logFilter: "off", trace: &a})
		runSeed(r.sim, seed, seedOptions{bugs: r.opts.Bugs, logFilter: "off", trace: &b})
		res, err := trace.Diff(&a, &b, trace.DiffOptions{})
		if err == nil && !res.Identical {
			return res, true
		}
	}
	return trace.DiffResult{}, false
}

// culprit names the likely source of a divergence from the first records
// that differ.
func culprit(res trace.DiffResult) string {
	if res.A.Ended() || res.B.Ended() {
		return "likely culprit: one run ended early (a task or timer exists in one run only)\n"
	}
	a, b := &res.A.Records[0], &res.B.Records[0]
	switch {
	case a.Kind == trace.KindLog || b.Kind == trace.KindLog:
		return fmt.Sprintf("likely culprit: the application log of task %q differs: its output depends on something outside the seed (map order, the wall clock, a global random source)\n", taskOf(a, b))
	case a.Task != b.Task:
		return fmt.Sprintf("likely culprit: a task switch: task %q ran in one run where %q ran in the other (a goroutine, channel or lock outside the simulation)\n", a.TaskName, b.TaskName)
	}
	return fmt.Sprintf("likely culprit: event %s differs; check the code that scheduled it (task %q)\n", a.Op, taskOf(a, b))
}

func taskOf(a, b *trace.Record) string {
	if a.TaskName != "" {
		return a.TaskName
	}
	return b.TaskName
}

// traceFirstFailure writes the trace of the first failing seed when a run
// of many seeds was asked for one.
func (r *runner) traceFirstFailure() error {
	if r.opts.Trace == nil || len(r.opts.Replay) == 1 || len(r.report.Failures) == 0 {
		return nil
	}
	seed := r.report.Failures[0].Seed
	res := runSeed(r.sim, seed, seedOptions{bugs: r.opts.Bugs, logFilter: "off", trace: r.opts.Trace})
	if res.Failure == nil {
		return errors.New("trace: the first failing seed passed when run again to trace it: it is not deterministic")
	}
	return nil
}
