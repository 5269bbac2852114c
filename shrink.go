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
	// the given faults; the default names the Go API.
	ReplayCommand func(seed uint64, faults []uint64) string
}

// ShrunkFault is one fault of a shrunk failure: its number in the replay
// that keeps only the shrunk faults, and its trace record there.
type ShrunkFault struct {
	N      uint64
	Record trace.Record
}

// String describes the fault in human terms: "Reboot of bank-2 at
// t=1.390000s: kind=Crash".
func (f ShrunkFault) String() string {
	r := f.Record
	what := r.Name
	if what == "" && r.Obj != "" {
		what = r.Obj + " " + strconv.FormatUint(r.ID, 10)
	}
	s := fmt.Sprintf("%d: %s", f.N, r.Op)
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

// Numbers returns the numbers of the shrunk faults, as Options.Faults takes
// them.
func (r *ShrinkResult) Numbers() []uint64 {
	ns := make([]uint64, len(r.Faults))
	for i, f := range r.Faults {
		ns[i] = f.N
	}
	return ns
}

// String prints the result as orrery shrink does.
func (r *ShrinkResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %#x: %s\n", r.Seed, r.Failure)
	fmt.Fprintf(&b, "shrunk from %d faults to %d in %d runs", r.Injected, len(r.Faults), r.Runs)
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

// Shrink runs seed of s, which must fail, and delta-debugs (ddmin) the set
// of faults its run injects: it keeps a subset when the seed, replayed
// with only those faults (the others suppressed, their random draws made;
// see Options.Faults), still fails the same way, and returns a set none
// of whose faults can be dropped alone. Two failures are the same way
// when they are of the same kind and their messages are equal with every
// number ignored ("hold 470 in total" is "hold 513 in total"). Only the
// faults whose sites ask sim.World.InjectFault are numbered; the others
// always happen.
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
	keep := sh.ddmin(seqTo(len(first.faults)))
	last := sh.run(keep)
	res := &ShrinkResult{Seed: seed, Failure: first.res.Failure.Message, Injected: len(first.faults),
		Runs: sh.runs, Wall: time.Since(start), Partial: sh.partial}
	for _, r := range last.faults {
		if !suppressed(r) {
			n, _ := strconv.ParseUint(attr(r, "fault"), 10, 64)
			res.Faults = append(res.Faults, ShrunkFault{N: n, Record: r})
		}
	}
	rc := opts.ReplayCommand
	if rc == nil {
		rc = goAPIReplayFaults(opts.Bugs, s.Chaos.Swarm)
	}
	res.Replay = rc(seed, res.Numbers())
	return res, nil
}

type shrinker struct {
	sim  *Simulation
	seed uint64
	opts ShrinkOptions
	want string
	mu   sync.Mutex
	runs int
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
func (sh *shrinker) run(keep []uint64) shrinkRun {
	var w *sim.World
	res := runSeed(sh.sim, sh.seed, seedOptions{bugs: sh.opts.Bugs, logFilter: "off",
		watchdog: sh.opts.Watchdog, setup: func(x *sim.World) { w = x; x.SetFaultFilter(keep) }})
	sh.mu.Lock()
	sh.runs++
	sh.mu.Unlock()
	return shrinkRun{res: res, faults: w.InjectedFaults()}
}

// fails reports whether the seed fails the same way with only keep.
func (sh *shrinker) fails(keep []uint64) bool {
	r := sh.run(keep)
	return r.res.Failure != nil && failureKey(r.res) == sh.want
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

// seqTo returns 1..n.
func seqTo(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}

// ddmin returns a subset of all with which the seed still fails the same
// way and from which no one fault can be dropped; it tries no fault first.
func (sh *shrinker) ddmin(all []uint64) []uint64 {
	if len(all) == 0 || sh.fails([]uint64{}) {
		return []uint64{}
	}
	c, n := all, 2
	for len(c) >= 2 && !sh.spent() {
		parts := split(c, n)
		cands := make([][]uint64, 0, 2*len(parts))
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
func (sh *shrinker) firstFailing(cands [][]uint64) int {
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
func split(c []uint64, n int) [][]uint64 {
	parts := make([][]uint64, 0, n)
	for i := range n {
		lo, hi := i*len(c)/n, (i+1)*len(c)/n
		if hi > lo {
			parts = append(parts, c[lo:hi])
		}
	}
	return parts
}

// without returns c without the members of p.
func without(c, p []uint64) []uint64 {
	return slices.DeleteFunc(slices.Clone(c), func(x uint64) bool { return slices.Contains(p, x) })
}

// FormatFaults prints fault numbers as --faults and ORRERY_FAULTS take
// them: "3,17", or "none" for the empty list.
func FormatFaults(ns []uint64) string {
	if len(ns) == 0 {
		return "none"
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ",")
}

// ParseFaults reads fault numbers as FormatFaults prints them; "none" is
// the empty, non-nil list (every fault suppressed).
func ParseFaults(s string) ([]uint64, error) {
	s = strings.TrimSpace(s)
	if s == "none" {
		return []uint64{}, nil
	}
	var ns []uint64
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("faults %q: %q is not a fault number (1, 2, ...)", s, part)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// goAPIReplayFaults returns the Go statement that replays a seed with only
// the given faults.
func goAPIReplayFaults(bugs []string, swarm bool) func(uint64, []uint64) string {
	fields, pre := "", ""
	if len(bugs) > 0 {
		fields = fmt.Sprintf(", Bugs: %#v", bugs)
	}
	if swarm {
		pre = "sim.Chaos.Swarm = true; "
	}
	return func(seed uint64, faults []uint64) string {
		return fmt.Sprintf("%sorrery.Run(sim, orrery.Options{Replay: []uint64{%#x}, Faults: []uint64{%s}%s})",
			pre, seed, strings.ReplaceAll(strings.TrimPrefix(FormatFaults(faults), "none"), ",", ", "), fields)
	}
}
