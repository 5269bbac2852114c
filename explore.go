package orrery

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// ExploreStats is what a search of Explore did.
type ExploreStats struct {
	Timelines int `json:"timelines"` // timelines run, root seeds included
	Roots     int `json:"roots"`     // root seeds among them
	// FirstRoot is the seed number of the first root seed
	// (Options.FirstSeed): the roots are it and the numbers after it.
	FirstRoot uint64 `json:"first_root,omitempty"`
	// BranchPoints is how many points the search branched from: the
	// positions where a timeline first reached an assertion or bucket, or
	// bettered a numeric assertion's watermark.
	BranchPoints int `json:"branch_points"`
	// Reached is how many Sometimes-family assertions and SometimesEach
	// buckets some timeline reached.
	Reached int `json:"reached"`
	// Watermarks is how many times a timeline brought a numeric
	// assertion closer to flipping than any timeline before it (see
	// assert.OnWatermark): each is a branch point too.
	Watermarks int `json:"watermarks,omitempty"`
	EnergyLeft int `json:"energy_left"` // timelines of the budget not run
}

// exploreEnergy is the energy a new branch point gets, and that a point
// gets again each time one of its children reaches something new.
const exploreEnergy = 32

// Explore searches the timelines of s for failures that random seeds do
// not reach: it runs root seeds and, whenever a timeline first reaches
// something (a Sometimes or Reachable that never held before, a new
// SometimesEach bucket) or brings a numeric assertion closer to flipping
// than any timeline before it (a better watermark: a SometimesGreaterThan
// nearer to holding, an AlwaysLessThan nearer to failing; see
// assert.OnWatermark), records the position as a branch point and runs
// children from it, each the same timeline up to that main-stream call
// and fresh randomness after it (see sim.Timeline), so that the search
// climbs from one rare step to the next.
//
// opts.Seeds is the energy: how many timelines to run in all (default
// 10,000). Each branch point gets 32 children; a point whose children
// reach something new gets 32 more, one whose children find nothing gets
// no more until every point has spent its energy, and then a new round
// starts. Budget, FailFast, Stop, Parallel, Bugs, FirstSeed (of the root
// seeds), Progress and ReplayTimeline mean what they mean to Run; the
// other options are not for Explore. A failing timeline is reported as a
// failing seed whose Timeline and Replay command name its branch points;
// Report.Explore says what the search did.
func Explore(s Simulation, opts Options) (*Report, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := opts.validate(&s); err != nil {
		return nil, err
	}
	if len(opts.Replay) > 0 || opts.Shard.Count > 1 || opts.CheckDeterminism || len(opts.Timeline) > 0 {
		return nil, fmt.Errorf("explore: Replay, Shard, CheckDeterminism and Timeline are options of Run")
	}
	x := newExplorer(&s, opts)
	x.search()
	if x.report.Seeds == 0 && x.report.Stopped != stoppedInterrupted {
		return nil, fmt.Errorf("explore: no timeline ran")
	}
	if opts.Trace != nil && len(x.report.Failures) > 0 {
		x.traceFailure(opts.Trace)
	}
	return x.report, nil
}

// explorer is one Explore in progress.
type explorer struct {
	sim    *Simulation
	opts   Options
	report *Report
	start  time.Time

	mu     sync.Mutex // guards the fields below and report
	seen   map[string]bool
	marks  map[string]float64 // the best watermark score of each numeric assertion
	points []*branchPoint
	roots  uint64
	left   int // energy left
	round  int
	// children counts the child timelines, whose fresh seeds it numbers.
	children uint64
	stats    ExploreStats
	done     bool
}

// branchPoint is a position of a timeline that first reached something.
type branchPoint struct {
	seed     uint64
	at       sim.Timeline // the timeline to the point; the last branch's Seed is unset
	energy   int
	children int
}

// exploreJob is one timeline to run, and the point it is a child of.
type exploreJob struct {
	seed uint64
	tl   sim.Timeline
	from *branchPoint
}

// firstHitAt is a first hit of a timeline and where it happened.
type firstHitAt struct {
	key    string
	branch int
	calls  uint64
}

// markAt is a timeline's best watermark score of a numeric assertion and
// where it first reached it.
type markAt struct {
	score  float64
	branch int
	calls  uint64
}

// reach is what one timeline reached: its first hits, in order, and its
// best watermark of each numeric assertion.
type reach struct {
	hits  []firstHitAt
	marks map[string]markAt
}

// watch sets w's hooks to fill r.
func (r *reach) watch(w *sim.World) {
	assert.OnFirstHit(w, func(msg, bucket string) {
		r.hits = append(r.hits, firstHitAt{key: msg + "\x00" + bucket, branch: w.Branches(), calls: w.RNGCalls()})
	})
	assert.OnWatermark(w, func(msg string, score float64) {
		if r.marks == nil {
			r.marks = make(map[string]markAt)
		}
		r.marks[msg] = markAt{score: score, branch: w.Branches(), calls: w.RNGCalls()}
	})
}

func newExplorer(s *Simulation, opts Options) *explorer {
	opts.Parallel = cmp.Or(opts.Parallel, runtime.GOMAXPROCS(0))
	opts.Seeds = cmp.Or(opts.Seeds, 10_000)
	if opts.ReplayTimeline == nil {
		opts.ReplayTimeline = goAPIReplayTimeline(opts.Bugs, s.Chaos.Swarm)
	}
	rep := newReport(s, opts)
	rep.FirstSeed = 0 // the report's seeds are timelines, not seed numbers
	rep.Explore = &ExploreStats{}
	return &explorer{sim: s, opts: opts, report: rep, start: time.Now(),
		seen: make(map[string]bool), marks: make(map[string]float64), left: opts.Seeds}
}

// search runs the workers and completes the report.
func (x *explorer) search() {
	var wg sync.WaitGroup
	for range x.opts.Parallel {
		wg.Go(x.work)
	}
	wg.Wait()
	rep := x.report
	rep.Wall = time.Since(x.start)
	slices.SortStableFunc(rep.Failures, func(a, b SeedFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	x.stats.EnergyLeft, x.stats.FirstRoot = x.left, x.opts.FirstSeed
	*rep.Explore = x.stats
	rep.Stopped = cmp.Or(rep.Stopped, stoppedSeeds)
	rep.Complete = rep.Stopped != stoppedInterrupted
}

func (x *explorer) work() {
	for {
		j, ok := x.take()
		if !ok {
			return
		}
		var r reach
		o := seedOptions{bugs: x.opts.Bugs, logFilter: "off", watchdog: x.opts.Watchdog, timeline: j.tl,
			cryptoFromOS: x.opts.CryptoRandFromOS, checkTimeout: x.opts.CheckTimeout, setup: r.watch}
		x.finish(j, runSeed(x.sim, j.seed, o), &r)
	}
}

// take hands out the next timeline, or false once a stop rule says so.
func (x *explorer) take() (exploreJob, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.done || x.left <= 0 || x.stopped() {
		return exploreJob{}, false
	}
	x.left--
	p := x.pick()
	if p == nil {
		seed := SeedAt(x.opts.FirstSeed + x.roots)
		x.roots++
		x.stats.Roots++
		return exploreJob{seed: seed}, true
	}
	p.energy--
	p.children++
	tl := slices.Clone(p.at)
	x.children++
	tl[len(tl)-1].Seed = SeedAt(1<<63 | x.children)
	return exploreJob{seed: p.seed, tl: tl, from: p}, true
}

// pick returns the newest branch point with energy left, starting a new
// round when none has any; nil runs a root seed.
func (x *explorer) pick() *branchPoint {
	for range 2 {
		for i := len(x.points) - 1; i >= 0; i-- {
			if x.points[i].energy > 0 {
				return x.points[i]
			}
		}
		if len(x.points) == 0 {
			return nil
		}
		x.round++
		for _, p := range x.points {
			p.energy = max(exploreEnergy>>min(x.round, 3), 1)
		}
	}
	return nil
}

// stopped applies Budget and Stop; it is called with mu held.
func (x *explorer) stopped() bool {
	select {
	case <-x.opts.Stop:
		x.report.Stopped = stoppedInterrupted
		return true
	default:
	}
	if b := x.opts.Budget; b > 0 && time.Since(x.start) > b {
		x.report.Stopped = stoppedBudget
		return true
	}
	return false
}

// finish folds a timeline into the report and records its new branch
// points.
func (x *explorer) finish(j exploreJob, res seedResult, r *reach) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.stats.Timelines++
	x.report.add(res, x.opts.ReplayTimeline(j.seed, j.tl))
	if res.Failure != nil {
		x.report.Failures[len(x.report.Failures)-1].Timeline = j.tl.String()
		if x.opts.FailFast {
			x.done, x.report.Stopped = true, stoppedFailFast
		}
	}
	found := false
	for _, h := range r.hits {
		if x.seen[h.key] {
			continue
		}
		x.seen[h.key], found = true, true
		x.stats.Reached++
		x.addPoint(j, h.branch, h.calls)
	}
	for _, msg := range slices.Sorted(maps.Keys(r.marks)) {
		m := r.marks[msg]
		if best, ok := x.marks[msg]; ok && m.score <= best {
			continue
		}
		x.marks[msg], found = m.score, true
		x.stats.Watermarks++
		x.addPoint(j, m.branch, m.calls)
	}
	if found && j.from != nil {
		j.from.energy += exploreEnergy
	}
	if x.opts.Progress != nil {
		x.opts.Progress(x.stats.Timelines, x.report.Failed, x.opts.Seeds)
	}
}

// addPoint adds the branch point at call calls of segment branch of j's
// timeline.
func (x *explorer) addPoint(j exploreJob, branch int, calls uint64) {
	at := append(slices.Clone(j.tl[:branch]), sim.Branch{At: calls})
	x.points = append(x.points, &branchPoint{seed: j.seed, at: at, energy: exploreEnergy})
	x.stats.BranchPoints++
}

// traceFailure runs the first failing timeline again, traced.
func (x *explorer) traceFailure(w io.Writer) {
	f := x.report.Failures[0]
	tl, err := sim.ParseTimeline(f.Timeline)
	if err != nil {
		panic(fmt.Sprintf("orrery: explore: the timeline it printed does not parse: %v", err))
	}
	runSeed(x.sim, f.Seed, seedOptions{bugs: x.opts.Bugs, logFilter: "off", watchdog: x.opts.Watchdog,
		timeline: tl, trace: w, noChecks: true})
}

// writeExplore writes the explorer's line of the summary.
func (r *Report) writeExplore(w io.Writer) {
	if e := r.Explore; e != nil {
		from := ""
		if e.FirstRoot != 0 {
			from = fmt.Sprintf(" from seed number %d", e.FirstRoot)
		}
		marks := ""
		if e.Watermarks > 0 {
			marks = fmt.Sprintf(", %d numeric watermarks bettered", e.Watermarks)
		}
		fmt.Fprintf(w, "explore\t%d timelines (%d root seeds%s), %d branch points, %d assertions and buckets reached%s, energy left %d\n",
			e.Timelines, e.Roots, from, e.BranchPoints, e.Reached, marks, e.EnergyLeft)
	}
}
