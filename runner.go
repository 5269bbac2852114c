package orrery

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
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
	// finish). A budget that ends before the first seed finishes is an
	// error: the run would say nothing.
	Budget time.Duration
	// UntilCovered stops the run once every Sometimes-family assertion has
	// held at least once.
	UntilCovered bool
	// FailFast stops the run at its first failing seed in seed order: the
	// report holds that seed and every seed before it, and no later one,
	// whatever Parallel and the scheduling of the workers.
	FailFast bool
	// Stop, when it is closed, stops the run as an interruption: no seed
	// starts after it, the seeds under way get a short grace (StopGrace)
	// to finish and are left out of the report if they do not, and the
	// report says Stopped "interrupted" and is not Complete. The command
	// line closes it on SIGINT and SIGTERM; the library reads no signal.
	Stop <-chan struct{}
	// StopGrace is how long, once Stop is closed, Run waits for the seeds
	// under way (default 2 seconds).
	StopGrace time.Duration
	// CheckDeterminism runs every seed twice and reports a seed whose two
	// runs differ (in trace hash, or in how they failed) as a
	// nondeterminism finding, showing where the traces part.
	CheckDeterminism bool
	// CryptoRandFromOS serves crypto/rand.Reader to the simulation's tasks
	// from the operating system, as outside a run, instead of from the
	// seed (see sim.World.SetCryptoRandCapture): their reads still show in
	// the trace (from=os), but a simulation that draws from crypto/rand no
	// longer replays, and CheckDeterminism names the task of its first
	// read. It shows what a simulation draws from crypto/rand.
	CryptoRandFromOS bool
	// CheckTimeout bounds, in real time, each of the seed checks of a
	// seed (Simulation.SeedChecks; default one minute): a check that
	// runs out of time leaves its seed unknown, never passed.
	CheckTimeout time.Duration
	// Artifacts is a directory where each failing seed gets a directory of
	// its own, named after the seed ("0x2a"): its trace (trace.jsonl),
	// its report entry (failure.json, failure.txt) and the files its
	// checks attached (AddArtifact). The directory must be writable: Run
	// fails before the first seed otherwise. "" writes none.
	Artifacts string
	// FirstSeed is the seed number the run starts at: it covers seed
	// numbers FirstSeed to FirstSeed+Seeds-1, each number's seed given by
	// SeedAt. A run that starts past every number an earlier run covered
	// (a date-derived FirstSeed, say) runs seeds no earlier run did; the
	// replay commands name seeds, not numbers, and need no FirstSeed.
	FirstSeed uint64
	// Shard runs one disjoint slice of the seeds (see Shard).
	Shard Shard
	// Bugs switches planted bugs on (see Planted).
	Bugs []string
	// Trace receives the JSON Lines trace of the replayed seed, or of the
	// first failing seed (run again with tracing once the sweep is over).
	// A first failing seed that does not fail the same way when run again
	// becomes a nondeterminism finding, and Trace receives the trace of
	// that second run.
	Trace io.Writer
	// Log and LogFilter are the human-readable trace of a replayed seed,
	// as in sim.Config: nothing unless both are given (Run reads no
	// ORRERY_LOG; orrerytest and package cli do); runs of many seeds print
	// none.
	Log       io.Writer
	LogFilter string
	// Watchdog is how long, in real time, one step of a seed may take
	// before the seed fails as blocked outside the simulation (see
	// sim.Config.Watchdog): zero means 10 seconds, negative turns it off.
	// A task parked on a Go channel, a sync lock or time.Sleep fails it
	// after one second.
	// A seed that blocks stops the run in seed order, as FailFast does:
	// the seeds after it would most likely wait out the limit too.
	Watchdog time.Duration
	// Catalog is assertions the run must reach, as results never
	// evaluated (package assert/catalog finds them in the source): one
	// that must fire (a Sometimes, a Reachable) and that no seed evaluated
	// fails the run too. The harness fills it from its catalog flag.
	Catalog []assert.Result
	// Progress, when set, is told of each finished seed: how many seeds
	// have finished, how many of them failed, and how many the run takes
	// (-1 when a budget or coverage decides). Calls come one at a time,
	// from the workers, with counts that only grow.
	Progress func(done, failed, total int)
	// ReplayCommand returns the command that replays a seed; the default
	// names the Go API, with the run's planted bugs and swarm mode.
	ReplayCommand func(seed uint64) string
	// Timeline is the branch points every replayed seed follows (see
	// sim.Timeline), to replay a timeline that Explore or the fuzzer
	// reported: it needs Replay.
	Timeline sim.Timeline
	// ReplayTimeline returns the command that replays a timeline of a
	// seed; the default names the Go API, as ReplayCommand's.
	ReplayTimeline func(seed uint64, t sim.Timeline) string
	// Entropy, with Replay, is bytes the main stream of each replayed
	// seed draws from first (see sim.World.SetEntropy): the fuzz input of
	// orrerytest.Fuzz, whose seed is sim.EntropySeed of it.
	Entropy []byte
	// Faults, with Replay, lets only these injected faults happen in each
	// replayed seed (see sim.FaultID and sim.World.SetFaultFilter), as
	// Shrink prints them: the others make their random draws and are
	// suppressed. Nil lets every fault happen; an empty list none.
	Faults []sim.FaultID
}

// Shard is slice Index (0-based) of Count of a run's seeds: seed number
// FirstSeed+i belongs to shard i mod Count. The zero Shard is the whole
// run.
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
	case o.StopGrace < 0:
		return fmt.Errorf("stop grace: %v is negative", o.StopGrace)
	case o.Shard.Count < 0 || o.Shard.Index < 0 || (o.Shard.Count > 0 && o.Shard.Index >= o.Shard.Count):
		return fmt.Errorf("shard: %d/%d is not a slice of the run", o.Shard.Index+1, o.Shard.Count)
	case o.Entropy != nil && len(o.Replay) == 0:
		return errors.New("entropy: without a seed to replay (Replay)")
	case o.Faults != nil && len(o.Replay) == 0:
		return fmt.Errorf("faults: %s without a seed to replay (Replay)", FormatFaults(o.Faults))
	case len(o.Timeline) > 0 && len(o.Replay) == 0:
		return fmt.Errorf("timeline: %v without a seed to replay (Replay)", o.Timeline)
	case o.FirstSeed != 0 && len(o.Replay) > 0:
		return fmt.Errorf("first seed: %d with a replay, which runs the seeds it is given", o.FirstSeed)
	case o.FirstSeed > math.MaxUint64-uint64(o.Seeds):
		return fmt.Errorf("first seed: %d with %d seeds runs past the last seed number", o.FirstSeed, o.Seeds)
	}
	if o.CheckTimeout < 0 {
		return fmt.Errorf("check timeout: %v is negative", o.CheckTimeout)
	}
	if err := checkArtifactsDir(o.Artifacts); err != nil {
		return err
	}
	if _, err := trace.ParseFilter(o.LogFilter); err != nil {
		return fmt.Errorf("log filter %q: %w", o.LogFilter, err)
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

// Run runs the seeds of s that opts ask for and returns the report; failing
// seeds are in the report. It fails when s or opts are invalid, and when
// the run said nothing: no seed ran (a shard that holds none), or the
// budget ended before the first seed finished; a run of no seed is never a
// pass. An interrupted run (Options.Stop) is no error: its report says so.
// A panic in Orrery's own code on a worker is raised again in the caller's
// goroutine, with the worker's stack.
func Run(s Simulation, opts Options) (*Report, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := opts.validate(&s); err != nil {
		return nil, err
	}
	r := newRunner(&s, opts)
	defer r.gate.close() // Options.Trace is the caller's again
	defer r.coros.Close()
	if len(opts.Catalog) > 0 {
		r.report.Asserts = assert.Merge(opts.Catalog)
		r.covered = r.report.Asserts
	}
	r.sweep()
	if r.report.Stopped != stoppedInterrupted {
		r.traceFirstFailure()
	}
	return r.report, r.said()
}

// Why a run stopped (Report.Stopped).
const (
	stoppedSeeds    = "seeds"
	stoppedBudget   = "budget"
	stoppedCovered  = "covered"
	stoppedFailFast = "fail-fast"
	// stoppedBlocked: a seed blocked outside the simulation. The code
	// escapes the scheduler, so every later seed would most likely wait
	// out the watchdog too; the sweep stops as with FailFast.
	stoppedBlocked     = "blocked"
	stoppedInterrupted = "interrupted"
)

// said reports a run that ran seeds in vain: none, or none within the
// budget.
func (r *runner) said() error {
	rep := r.report
	switch {
	case rep.Stopped == stoppedInterrupted:
		return nil
	case rep.Stopped == stoppedBudget && rep.Seeds == 0:
		return fmt.Errorf("budget: %v ran no seed: give at least the time of a few seeds", r.opts.Budget)
	case rep.Stopped == stoppedBudget && r.firstDone > r.opts.Budget:
		return fmt.Errorf("budget: %v is below the time of one seed (the first took %v): give at least the time of a few seeds",
			r.opts.Budget, r.firstDone.Round(time.Millisecond))
	case rep.Seeds == 0 && r.opts.Shard.Count > 1:
		return fmt.Errorf("shard %s: holds none of the %d seeds: the run ran no seed", r.opts.Shard, r.opts.Seeds)
	case rep.Seeds == 0:
		return errors.New("the run ran no seed")
	}
	return nil
}

// runner is one Run in progress.
type runner struct {
	sim    *Simulation
	opts   Options
	coros  sim.Coroutines // the goroutines of finished seeds' tasks, for the next seeds'
	hosts  []hostPlan     // the seeds' hosts, laid out once
	report *Report
	start  time.Time
	takeMu sync.Mutex    // makes handing out a seed and its stop rules one step
	next   atomic.Uint64 // next seed to hand out, counted from the first
	stop   atomic.Bool
	limit  atomic.Uint64 // FailFast: the lowest failing seed number so far
	// blocked is the lowest seed number that blocked outside the
	// simulation: when it is the limit, that is why the run stopped.
	blocked atomic.Uint64
	bar     *progress
	trace   io.Writer // Options.Trace behind a gate, or nil
	gate    *gate

	mu        sync.Mutex         // guards the fields below
	pending   map[uint64]outcome // finished seeds not yet folded, by number
	folded    uint64             // seeds 0 to folded-1 are in the report
	closed    bool               // the report is final: late seeds are dropped
	covered   []assert.Result    // every seed's assertions, for UntilCovered
	firstDone time.Duration      // when the first seed finished
	firsts    map[uint64]firstRun
	crash     *runnerPanic
}

// firstRun is how a failing seed failed, to tell whether it fails the same
// way when run again to trace it.
type firstRun struct {
	hash    uint64
	failure *sim.Failure
	check   bool // failure is a SeedCheck's
}

// outcome is a finished seed: its result and, when its runs differed, the
// nondeterminism finding that replaces its failure.
type outcome struct {
	res    seedResult
	nondet *SeedFailure
}

// defaultStopGrace is Options.StopGrace's default.
const defaultStopGrace = 2 * time.Second

func newRunner(s *Simulation, opts Options) *runner {
	if opts.Parallel == 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Seeds == 0 && opts.Budget == 0 && !opts.UntilCovered {
		opts.Seeds = 100
	}
	if opts.StopGrace == 0 {
		opts.StopGrace = defaultStopGrace
	}
	if opts.ReplayCommand == nil {
		opts.ReplayCommand = goAPIReplay(opts.Bugs, s.Chaos.Swarm)
	}
	if opts.ReplayTimeline == nil {
		opts.ReplayTimeline = goAPIReplayTimeline(opts.Bugs, s.Chaos.Swarm)
	}
	if tl := opts.Timeline; len(tl) > 0 {
		rt := opts.ReplayTimeline
		opts.ReplayCommand = func(seed uint64) string { return rt(seed, tl) }
	}
	r := &runner{sim: s, opts: opts, start: time.Now(), pending: make(map[uint64]outcome),
		firsts: make(map[uint64]firstRun), hosts: planHosts(s),
		report: newReport(s, opts)}
	r.limit.Store(math.MaxUint64)
	r.blocked.Store(math.MaxUint64)
	if opts.Trace != nil {
		r.gate = &gate{w: opts.Trace}
		r.trace = r.gate
	}
	return r
}

// gate passes writes to w until it is shut: a seed abandoned after Stop
// must not write into a trace that the caller is closing.
type gate struct {
	mu   sync.Mutex
	w    io.Writer
	shut bool
}

// errGateShut is what an abandoned seed's trace writes get.
var errGateShut = errors.New("trace: the run is over")

func (g *gate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return 0, errGateShut
	}
	return g.w.Write(p)
}

// close shuts the gate, once the writes it passes are done.
func (g *gate) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shut = true
}

// goAPIReplay returns the Go statement that replays a seed as it ran: the
// same planted bugs, and swarm mode switched on in the simulation.
func goAPIReplay(bugs []string, swarm bool) func(uint64) string {
	fields, pre := "", ""
	if len(bugs) > 0 {
		fields = fmt.Sprintf(", Bugs: %#v", bugs)
	}
	if swarm {
		pre = "sim.Chaos.Swarm = true; "
	}
	return func(seed uint64) string {
		return fmt.Sprintf("%sorrery.Run(sim, orrery.Options{Replay: []uint64{%#x}%s})", pre, seed, fields)
	}
}

// sweep runs the seeds on Parallel workers and fills the report.
func (r *runner) sweep() {
	r.bar = &progress{total: r.total(), report: r.opts.Progress}
	var wg sync.WaitGroup
	for range r.workers() {
		wg.Go(r.work)
	}
	r.wait(&wg)
	r.close()
}

// wait waits for the workers, or, once Stop is closed, for StopGrace at
// most.
func (r *runner) wait(wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-r.opts.Stop:
		r.stopAs(stoppedInterrupted)
	}
	select {
	case <-done:
	case <-time.After(r.opts.StopGrace):
	}
}

// close folds the seeds still pending, in seed order, and makes the report
// final: a seed abandoned after Stop that finishes later is dropped.
func (r *runner) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.crash != nil {
		panic(*r.crash)
	}
	r.closed = true
	for _, k := range slices.Sorted(maps.Keys(r.pending)) {
		r.fold(k, r.pending[k])
	}
	r.pending = nil
	rep := r.report
	rep.Wall = time.Since(r.start)
	slices.SortFunc(rep.Failures, func(a, b SeedFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	slices.SortFunc(rep.Unknowns, func(a, b SeedFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	switch {
	case rep.Stopped != "":
	case r.limit.Load() != math.MaxUint64 && r.limit.Load() == r.blocked.Load():
		rep.Stopped = stoppedBlocked
	case r.limit.Load() != math.MaxUint64:
		rep.Stopped = stoppedFailFast
	default:
		rep.Stopped = stoppedSeeds
	}
	rep.Complete = rep.Stopped != stoppedInterrupted
}

func (r *runner) workers() int {
	n := r.opts.Parallel
	if t := r.total(); t >= 0 && t < n {
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
		n = max(n-r.opts.Shard.Index+c-1, 0) / c
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
	return SeedAt(r.opts.FirstSeed + i), true
}

// work runs seeds until none is left or a stop rule fires. A panic here is
// a bug of the runner: it stops the run and is raised again by Run.
func (r *runner) work() {
	defer r.recoverCrash()
	for {
		k, seed, ok := r.take()
		if !ok {
			return
		}
		o := r.runOne(seed)
		if k <= r.limit.Load() { // a seed past FailFast's limit is left out of the report
			r.keepArtifacts(&o)
		}
		r.finish(k, o)
	}
}

// take hands out the next seed, if it is to run: the seeds a run starts
// are always a prefix of its seed numbers (a report says how many, not
// which), as handing out and the stop rules are one step, and once the
// rules refuse a seed they refuse every later one.
func (r *runner) take() (k, seed uint64, ok bool) {
	r.takeMu.Lock()
	defer r.takeMu.Unlock()
	k = r.next.Add(1) - 1
	seed, ok = r.seed(k)
	return k, seed, ok && r.mayStart(k)
}

// mayStart applies the stop rules to seed number k, in an order that
// keeps Stopped independent of the scheduling: with FailFast, seeds after
// the lowest failing one are not run, whatever else happens.
func (r *runner) mayStart(k uint64) bool {
	if k > r.limit.Load() || r.stop.Load() {
		return false
	}
	select {
	case <-r.opts.Stop:
		r.stopAs(stoppedInterrupted)
		return false
	default:
	}
	if b := r.opts.Budget; b > 0 && time.Since(r.start) > b {
		r.stopAs(stoppedBudget)
		return false
	}
	return true
}

func (r *runner) stopAs(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.report.Stopped == "" || why == stoppedInterrupted {
		r.report.Stopped = why
	}
	r.stop.Store(true)
}

// runnerPanic is a panic of the runner's own code on a worker, raised again
// in Run's caller: it prints as the value and the worker's stack.
type runnerPanic struct {
	value any
	stack []byte
}

func (p runnerPanic) String() string { return fmt.Sprintf("%v\n\n%s", p.value, p.stack) }

// Value is the value the worker panicked with.
func (p runnerPanic) Value() any { return p.value }

// Stack is the stack of the worker that panicked.
func (p runnerPanic) Stack() []byte { return p.stack }

func (r *runner) recoverCrash() {
	v := recover()
	if v == nil {
		return
	}
	r.stop.Store(true)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.crash != nil {
		return
	}
	if p, ok := v.(runnerPanic); ok { // raised again from a goroutine of its own
		r.crash = &p
		return
	}
	r.crash = &runnerPanic{value: v, stack: debug.Stack()}
}

// finish takes a finished seed: it counts it, lowers the FailFast limit,
// folds every seed whose turn has come into the report and applies
// UntilCovered.
func (r *runner) finish(k uint64, o outcome) {
	failed := o.res.Failure != nil || o.nondet != nil
	if f := o.res.Failure; f != nil && f.Kind == sim.FailBlocked {
		lower(&r.limit, k)
		lower(&r.blocked, k)
	} else if failed && r.opts.FailFast {
		lower(&r.limit, k)
	}
	r.bar.add(failed)
	if r.opts.UntilCovered && r.cover(o.res.Asserts) {
		r.stopAs(stoppedCovered)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if r.firstDone == 0 {
		r.firstDone = time.Since(r.start)
	}
	r.pending[k] = o
	for next, ok := r.pending[r.folded]; ok; next, ok = r.pending[r.folded] {
		delete(r.pending, r.folded)
		r.fold(r.folded, next)
		r.folded++
	}
}

// lower sets v to k if k is below it.
func lower(v *atomic.Uint64, k uint64) {
	for {
		cur := v.Load()
		if k >= cur || v.CompareAndSwap(cur, k) {
			return
		}
	}
}

// fold adds seed number k to the report, unless FailFast stopped the run
// before it.
func (r *runner) fold(k uint64, o outcome) {
	if k > r.limit.Load() {
		return
	}
	res := o.res
	replay := r.opts.ReplayCommand(res.Seed)
	if f := res.Failure; f != nil {
		r.firsts[res.Seed] = firstRun{hash: res.TraceHash, failure: f, check: res.Kind == "check"}
	}
	if o.nondet != nil {
		res.Failure = nil
	}
	r.report.add(res, replay)
	if o.nondet != nil {
		f := *o.nondet
		f.Replay = replay
		r.report.Failed++
		r.report.Failures = append(r.report.Failures, f)
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

// seedOptions are the options of a seed run without output.
func (r *runner) seedOptions() seedOptions {
	return seedOptions{coros: &r.coros, hosts: r.hosts, bugs: r.opts.Bugs, logFilter: "off", watchdog: r.opts.Watchdog,
		cryptoFromOS: r.opts.CryptoRandFromOS, timeline: r.opts.Timeline, entropy: r.opts.Entropy, faults: r.opts.Faults,
		checkTimeout: r.opts.CheckTimeout, keepFiles: r.opts.Artifacts != ""}
}
