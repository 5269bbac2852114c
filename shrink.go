package orrery

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// ShrinkOptions are the options of Shrink.
type ShrinkOptions struct {
	// Bugs are the planted bugs switched on, as Options.Bugs.
	Bugs []string
	// Parallel is how many candidate runs go at once; 0 means GOMAXPROCS.
	Parallel int
	// Watchdog bounds each run's wall time, as Options.Watchdog.
	Watchdog time.Duration
	// Budget bounds the search in real time (zero: no bound). When it is
	// spent, Shrink returns the smallest set found so far, which still
	// fails the same way, and says so (ShrinkResult.Partial).
	Budget time.Duration
	// ReplayCommand returns the command that replays the seed with only
	// the given faults (on Timeline, with Entropy); the default names the
	// Go API.
	ReplayCommand func(seed uint64, faults []sim.FaultID) string
	// Timeline is the branch points the seed follows, for a failure that
	// Explore found on a timeline (see Options.Timeline).
	Timeline sim.Timeline
	// Entropy is the first bytes of the seed's main stream, for a failure
	// that orrerytest.Fuzz found (see Options.Entropy): the seed is then
	// sim.EntropySeed of them.
	Entropy []byte
}

// ShrunkFault is one fault of a shrunk failure: its identity and its trace
// record in the replay that keeps only the shrunk faults.
type ShrunkFault struct {
	ID     sim.FaultID
	Record trace.Record
}

// String gives the fault's identity and describes it in human terms:
// "Reboot:bank-2#1  Reboot of bank-2 at t=1.390000s: kind=crash".
func (f ShrunkFault) String() string {
	r := f.Record
	what := r.Name
	if what == "" && r.Obj != "" {
		what = r.Obj + " " + strconv.FormatUint(r.ID, 10)
	}
	s := fmt.Sprintf("%s  %s", f.ID, r.Op)
	if what != "" {
		s += " of " + what
	}
	s += fmt.Sprintf(" at t=%.6fs", r.At.Seconds())
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

// ShrinkResult is what Shrink found: the few faults of a failing seed that
// still make it fail the same way.
type ShrinkResult struct {
	Seed     uint64
	Timeline sim.Timeline  // the seed's branch points (ShrinkOptions.Timeline)
	Entropy  []byte        // its main stream's first bytes (ShrinkOptions.Entropy)
	Failure  string        // the seed's failure, as its report gives it
	Injected int           // faults the seed's own run injected
	Faults   []ShrunkFault // the shrunk faults, in the order they happen
	Runs     int           // runs made, the seed's own included
	Wall     time.Duration
	Replay   string // the command that replays the seed with only Faults
	// Partial is true when ShrinkOptions.Budget ran out: Faults still make
	// the seed fail the same way, but some of them may not be needed.
	Partial bool
}

// IDs returns the identities of the shrunk faults, as Options.Faults takes
// them.
func (r *ShrinkResult) IDs() []sim.FaultID {
	ids := make([]sim.FaultID, len(r.Faults))
	for i, f := range r.Faults {
		ids[i] = f.ID
	}
	return ids
}

// String prints the result as orrery shrink does.
func (r *ShrinkResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %#x", r.Seed)
	if len(r.Timeline) > 0 {
		fmt.Fprintf(&b, " on timeline %s", r.Timeline)
	}
	if r.Entropy != nil {
		fmt.Fprintf(&b, " from a fuzz input of %d bytes", len(r.Entropy))
	}
	fmt.Fprintf(&b, ": %s\n", r.Failure)
	fault := "faults"
	if r.Injected == 1 {
		fault = "fault"
	}
	fmt.Fprintf(&b, "shrunk from %d %s to %d in %d runs", r.Injected, fault, len(r.Faults), r.Runs)
	if r.Partial {
		b.WriteString(" (its time ran out: some of these may not be needed)")
	}
	b.WriteString("\n")
	for _, f := range r.Faults {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	fmt.Fprintf(&b, "replay: %s\n", r.Replay)
	return b.String()
}

// ErrNoFailure is returned by Shrink for a seed that does not fail.
var ErrNoFailure = errors.New("the seed does not fail")

// Shrink runs seed of s, which must fail, and shrinks the set of faults
// its run injects: it keeps a subset when the seed, replayed with only
// those faults (the others suppressed, their random draws made; see
// Options.Faults), still fails the same way. Two failures are the same way
// when they are of the same kind and their messages are equal with every
// number ignored ("hold 470 in total" is "hold 513 in total").
//
// The search is delta debugging (ddmin), first over the faults named by
// number, then by ordinal and by time (see sim.FaultID), for a suppressed
// fault changes which fault comes next and each way names "the same" fault
// differently; while one of them drops a fault it goes on, and when none
// does it tries to drop two at once. The result names its faults by
// ordinal and replays exactly. Only the faults whose sites ask
// sim.World.InjectFault are named; the others always happen. A seed found
// on a timeline, or from a fuzz input, shrinks on it (ShrinkOptions.Timeline,
// ShrinkOptions.Entropy).
func Shrink(s Simulation, seed uint64, opts ShrinkOptions) (*ShrinkResult, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	sh := &shrinker{sim: &s, seed: seed, opts: opts}
	if opts.Budget > 0 {
		sh.deadline = start.Add(opts.Budget)
	}
	first := sh.run(nil)
	if first.res.Failure == nil {
		return nil, fmt.Errorf("shrink seed %#x: %w", seed, ErrNoFailure)
	}
	sh.want = failureKey(first.res)
	sh.keep(first)
	last := sh.search(first)
	res := &ShrinkResult{Seed: seed, Timeline: opts.Timeline, Entropy: opts.Entropy, Failure: first.res.Failure.Message, Injected: len(first.faults),
		Runs: sh.runs, Wall: time.Since(start), Partial: sh.partial}
	for _, r := range last.faults {
		if !suppressed(r) {
			res.Faults = append(res.Faults, ShrunkFault{ID: faultID(r), Record: r})
		}
	}
	if err := sh.confirm(res.IDs()); err != nil {
		return nil, fmt.Errorf("shrink seed %#x: %w", seed, err)
	}
	res.Runs = sh.runs
	rc := opts.ReplayCommand
	if rc == nil {
		rc = goAPIReplayFaults(opts, s.Chaos.Swarm)
	}
	res.Replay = rc(seed, res.IDs())
	return res, nil
}

// ErrNotReproducible is returned by Shrink when the seed, replayed alone
// with the faults the search kept, does not fail as the search's own runs
// did: the seed's outcome depends on something outside it, most often
// state that the runs share (a variable outside a Workload's New, which
// seeds and a shrink's replays, running in parallel, all see).
var ErrNotReproducible = errors.New("the shrunk faults do not reproduce the failure")

// confirm replays the seed once more, alone, with only the faults ids, as
// the printed replay command will, and checks that it fails the same way.
func (sh *shrinker) confirm(ids []sim.FaultID) error {
	r := sh.run(ids)
	if r.res.Failure != nil && failureKey(r.res) == sh.want {
		return nil
	}
	got := ending{failure: r.res.Failure, check: r.res.Kind == "check"}
	if other, ok := sh.sameTrace(r, ids); ok {
		return fmt.Errorf("%w: replayed alone with faults %q it %s, where a run of the same trace (hash %#x) %s: "+
			"the difference is in the failure itself; %s", ErrNotReproducible, FormatFaults(ids), got, r.res.TraceHash,
			other, strings.TrimSuffix(endingCulprit(got, other), "\n"))
	}
	how := "passed"
	if got.failure != nil {
		how = "failed otherwise: " + got.failure.Message
	}
	return fmt.Errorf("%w: replayed alone with faults %q it %s; its outcome depends on something outside the seed, "+
		"such as state shared between seeds (see Workload)", ErrNotReproducible, FormatFaults(ids), how)
}

// sameTrace returns how another run of the seed that made the same trace
// as r, by its hash, ended otherwise than r: one that failed the way the
// search wants, or one more with the faults ids. Such runs differ in
// their failure alone.
func (sh *shrinker) sameTrace(r shrinkRun, ids []sim.FaultID) (ending, bool) {
	sh.mu.Lock()
	other, ok := sh.wanted[r.res.TraceHash]
	sh.mu.Unlock()
	if !ok {
		again := sh.run(ids)
		other = ending{failure: again.res.Failure, check: again.res.Kind == "check"}
		ok = again.res.TraceHash == r.res.TraceHash
	}
	return other, ok && !sameFailure(other.failure, r.res.Failure)
}

type shrinker struct {
	sim  *Simulation
	seed uint64
	opts ShrinkOptions
	want string
	mu   sync.Mutex
	// wanted holds, by trace hash, how runs that failed the way wanted
	// ended: a run of the same trace that fails otherwise differs in its
	// failure alone.
	wanted map[uint64]ending
	runs   int
	// deadline ends the search (zero: none); partial says it did.
	deadline time.Time
	partial  bool
}

// spent reports whether the search's time is up, and notes it.
func (sh *shrinker) spent() bool {
	if sh.deadline.IsZero() || time.Now().Before(sh.deadline) {
		return false
	}
	sh.partial = true
	return true
}

type shrinkRun struct {
	res    seedResult
	faults []trace.Record
}

// run runs the seed with only the faults keep (every fault for nil).
func (sh *shrinker) run(keep []sim.FaultID) shrinkRun {
	var w *sim.World
	res := runSeed(sh.sim, sh.seed, seedOptions{bugs: sh.opts.Bugs, logFilter: "off", watchdog: sh.opts.Watchdog,
		timeline: sh.opts.Timeline, entropy: sh.opts.Entropy, setup: func(x *sim.World) { w = x; x.SetFaultFilter(keep) }})
	sh.mu.Lock()
	sh.runs++
	sh.mu.Unlock()
	return shrinkRun{res: res, faults: w.InjectedFaults()}
}

// fails reports whether the seed fails the same way with only keep.
func (sh *shrinker) fails(keep []sim.FaultID) bool {
	r := sh.run(keep)
	if r.res.Failure == nil || failureKey(r.res) != sh.want {
		return false
	}
	sh.keep(r)
	return true
}

// keep notes how r, a run that failed the way wanted, ended.
func (sh *shrinker) keep(r shrinkRun) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.wanted == nil {
		sh.wanted = map[uint64]ending{}
	}
	sh.wanted[r.res.TraceHash] = ending{failure: r.res.Failure, check: r.res.Kind == "check"}
}

var digits = regexp.MustCompile(`[0-9]+`)

// failureKey is what two failures must share to be the same: the kind and
// the message with every number ignored.
func failureKey(res seedResult) string {
	f := res.Failure
	return res.Kind + "/" + f.Kind.String() + "/" + digits.ReplaceAllString(f.Message, "N")
}

func suppressed(r trace.Record) bool { return attr(r, "suppressed") == "true" }

func attr(r trace.Record, key string) string {
	for _, a := range r.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// faultID returns the fault r records, by ordinal.
func faultID(r trace.Record) sim.FaultID {
	id, _ := sim.FaultOf(r)
	return id
}

// A view names faults one way (see sim.FaultID). Each way names, in a run
// with other faults suppressed, a different fault "the same", and the
// search tries them all.
type view int

const (
	byNumber view = iota
	byOrdinal
	byTime
	views
)

// names returns the faults of a run that happened, named the way v does.
func names(faults []trace.Record, v view) []sim.FaultID {
	var ids []sim.FaultID
	for i, r := range faults {
		if suppressed(r) {
			continue
		}
		id := faultID(r)
		switch v {
		case byNumber:
			id = sim.FaultID{N: uint64(i + 1)}
		case byTime:
			id.N, id.At = 0, r.At.Truncate(time.Microsecond)
		}
		ids = append(ids, id)
	}
	return ids
}

// search shrinks the faults of the seed's first run by number (ddmin),
// then by the other views while one of them drops a fault; when none
// does, it tries to drop two faults at once. It returns the run of the
// faults it keeps.
func (sh *shrinker) search(first shrinkRun) shrinkRun {
	keep, v := sh.ddmin(names(first.faults, byNumber), true), byNumber
	last := sh.run(keep)
	for len(keep) >= 2 && !sh.spent() {
		c, w, ok := sh.smaller(last, v)
		if !ok {
			break
		}
		keep, v = c, w
		last = sh.run(keep)
	}
	return last
}

// smaller returns a smaller set of the faults of last, a run of a set
// ddmin left in view v, that still fails, and its view; false if it finds
// none.
func (sh *shrinker) smaller(last shrinkRun, v view) ([]sim.FaultID, view, bool) {
	for i := view(1); i < views; i++ {
		w := (v + i) % views
		ids := names(last.faults, w)
		if c := sh.ddmin(ids, false); len(c) < len(ids) {
			return c, w, true
		}
	}
	for i := range views {
		w := (v + i) % views
		if c, ok := sh.dropPair(names(last.faults, w)); ok {
			return sh.ddmin(c, false), w, true
		}
	}
	return nil, v, false
}

// maxPairs bounds the sets whose pairs dropPair tries.
const maxPairs = 10

// dropPair returns ids without two of them, if the seed still fails so.
func (sh *shrinker) dropPair(ids []sim.FaultID) ([]sim.FaultID, bool) {
	if len(ids) < 3 || len(ids) > maxPairs {
		return nil, false
	}
	var cands [][]sim.FaultID
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			c := slices.Delete(slices.Clone(ids), j, j+1)
			cands = append(cands, slices.Delete(c, i, i+1))
		}
	}
	if i := sh.firstFailing(cands); i >= 0 {
		return cands[i], true
	}
	return nil, false
}

// ddmin returns a subset of all with which the seed still fails the same
// way and from which no one fault can be dropped; it tries no fault first.
func (sh *shrinker) ddmin(all []sim.FaultID, tryNone bool) []sim.FaultID {
	if len(all) == 0 || tryNone && sh.fails([]sim.FaultID{}) {
		return []sim.FaultID{}
	}
	c, n := all, 2
	for len(c) >= 2 && !sh.spent() {
		parts := split(c, n)
		cands := make([][]sim.FaultID, 0, 2*len(parts))
		cands = append(cands, parts...)
		if n > 2 {
			for i := range parts {
				cands = append(cands, without(c, parts[i]))
			}
		}
		i := sh.firstFailing(cands)
		switch {
		case i >= 0 && i < len(parts):
			c, n = cands[i], 2
		case i >= 0:
			c, n = cands[i], max(n-1, 2)
		case n >= len(c):
			return c
		default:
			n = min(2*n, len(c))
		}
	}
	return c
}

// firstFailing runs the candidates, Parallel at a time, and returns the
// index of the first that fails the same way, -1 if none does.
func (sh *shrinker) firstFailing(cands [][]sim.FaultID) int {
	fails := make([]bool, len(cands))
	sem := make(chan struct{}, cmp.Or(sh.opts.Parallel, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, c := range cands {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			fails[i] = sh.fails(c)
		})
	}
	wg.Wait()
	return slices.Index(fails, true)
}

// split cuts c into n parts of near equal length, in order.
func split(c []sim.FaultID, n int) [][]sim.FaultID {
	parts := make([][]sim.FaultID, 0, n)
	for i := range n {
		lo, hi := i*len(c)/n, (i+1)*len(c)/n
		if hi > lo {
			parts = append(parts, c[lo:hi])
		}
	}
	return parts
}

// without returns c without the members of p.
func without(c, p []sim.FaultID) []sim.FaultID {
	return slices.DeleteFunc(slices.Clone(c), func(x sim.FaultID) bool { return slices.Contains(p, x) })
}

// FormatFaults prints faults as --faults and ORRERY_FAULTS take them:
// "Reboot:db@0.943623s,Reboot:db@3.104793s", or "none" for the empty list.
func FormatFaults(ids []sim.FaultID) string {
	if len(ids) == 0 {
		return "none"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ",")
}

// ParseFaults reads faults as FormatFaults prints them, in any form
// sim.ParseFaultID reads (the numbers earlier versions printed too);
// "none" is the empty, non-nil list (every fault suppressed).
func ParseFaults(s string) ([]sim.FaultID, error) {
	s = strings.TrimSpace(s)
	if s == "none" {
		return []sim.FaultID{}, nil
	}
	var ids []sim.FaultID
	for part := range strings.SplitSeq(s, ",") {
		id, err := sim.ParseFaultID(part)
		if err != nil {
			return nil, fmt.Errorf("faults %q: %w", s, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// goAPIReplayFaults returns the Go statement that replays a seed with only
// the given faults, with the options' bugs, timeline and entropy.
func goAPIReplayFaults(o ShrinkOptions, swarm bool) func(uint64, []sim.FaultID) string {
	fields, pre := "", ""
	if len(o.Timeline) > 0 {
		fields += ", Timeline: " + timelineLiteral(o.Timeline)
	}
	if o.Entropy != nil {
		fields += fmt.Sprintf(", Entropy: []byte(%q)", o.Entropy)
	}
	if len(o.Bugs) > 0 {
		fields += fmt.Sprintf(", Bugs: %#v", o.Bugs)
	}
	if swarm {
		pre = "sim.Chaos.Swarm = true; "
	}
	return func(seed uint64, faults []sim.FaultID) string {
		return fmt.Sprintf("%sorrery.Run(sim, orrery.Options{Replay: []uint64{%#x}, Faults: %s%s})",
			pre, seed, faultsLiteral(faults), fields)
	}
}

// faultsLiteral writes faults as Go: []sim.FaultID{{Op: "Reboot", Target:
// "db", N: 3}}.
func faultsLiteral(ids []sim.FaultID) string {
	var b strings.Builder
	b.WriteString("[]sim.FaultID{")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case id.Op == "":
			fmt.Fprintf(&b, "{N: %d}", id.N)
		case id.N > 0:
			fmt.Fprintf(&b, "{Op: %q, Target: %q, N: %d}", id.Op, id.Target, id.N)
		default:
			fmt.Fprintf(&b, "{Op: %q, Target: %q, At: %d}", id.Op, id.Target, id.At)
		}
	}
	b.WriteString("}")
	return b.String()
}
