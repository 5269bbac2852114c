package orrery

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/sim"
)

// seedResult is the outcome of one seed.
type seedResult struct {
	Seed    uint64
	Failure *sim.Failure // nil when the seed passed
	// Chaos is the fault configuration the seed drew (swarm mode) or was
	// given, as printed with the seed.
	Chaos     string
	SimTime   time.Duration // logical time at the end
	Events    uint64        // events scheduled (the last seq)
	RNGCalls  uint64
	TraceHash uint64
	Faults    []sim.FaultCount
	Asserts   []assert.Result
	// CryptoReads and CryptoBytes are the reads of crypto/rand.Reader the
	// seed's tasks made, and the bytes they were served.
	CryptoReads, CryptoBytes uint64
	Wall                     time.Duration // real time the seed took
	// VerboseHash covers the log records below Info, built when the
	// seed ran verbose (the determinism check's pairs).
	VerboseHash uint64
	// Kind names the failure's kind when it is not Failure.Kind's: "check"
	// for a failed SeedCheck.
	Kind string
	// Unknown says why a seed that failed nothing is not a pass: a
	// SeedCheck could not decide.
	Unknown string
	// Files are what the checks attached to a failing seed (AddArtifact),
	// kept when the run writes artifacts.
	Files []artifactFile
	// Artifacts is the seed's artifact directory and the files in it.
	Artifacts []string
}

// seedOptions are how one seed is run.
type seedOptions struct {
	trace        io.Writer // JSON Lines, or nil
	log          io.Writer // text lines, or nil
	logFilter    string
	bugs         []string
	watchdog     time.Duration // sim.Config.Watchdog
	cryptoFromOS bool          // Options.CryptoRandFromOS
	// checkTimeout bounds each SeedCheck; noChecks skips them (a run
	// again for a trace); keepFiles keeps the files of a failing check;
	// verbose builds and hashes every log record (sim.Config.Verbose).
	checkTimeout time.Duration
	noChecks     bool
	verbose      bool
	keepFiles    bool
	timeline     sim.Timeline  // the main stream's branch points
	entropy      []byte        // the main stream's first bytes (SetEntropy)
	faults       []sim.FaultID // the faults that may happen; nil: no filter
	// setup, when set, sees the World before it runs (the explorer's
	// hooks).
	setup func(w *sim.World)
	// coros, when set, holds the goroutines of earlier seeds' tasks.
	coros *sim.Coroutines
	// hosts, when set, is planHosts of the simulation, made once per run.
	hosts []hostPlan
}

// runSeed runs one seed of s, which must be valid.
func runSeed(s *Simulation, seed uint64, o seedOptions) seedResult {
	start := time.Now()
	w := sim.New(sim.Config{Seed: seed, Name: s.Name, Trace: o.trace, Log: o.log,
		LogFilter: o.logFilter, MaxTime: s.MaxTime, Watchdog: o.watchdog, Verbose: o.verbose})
	if o.coros != nil {
		w.ShareCoroutines(o.coros)
	}
	if o.cryptoFromOS {
		w.SetCryptoRandCapture(false)
	}
	if err := w.SetTimeline(o.timeline); err != nil {
		panic(err) // a new World has drawn nothing
	}
	if o.entropy != nil {
		_ = w.SetEntropy(o.entropy) // a new World has drawn nothing
	}
	if o.faults != nil {
		w.SetFaultFilter(o.faults)
	}
	if o.setup != nil {
		o.setup(w)
	}
	drawn := s.Chaos.Draw(w.ConfigRand())
	c := newCluster(w, s, drawn, o.hosts)
	c.bugs = o.bugs
	if !drawn.Buggify {
		chaos.Heal(w)
	}
	st := &c.state
	for _, inv := range s.Invariants {
		check := inv.Check // captured alone: the loop calls it after every step
		w.AddInvariant(inv.Name, func() error { return check(st) })
	}
	w.Spawn("orrery/conductor", c.conduct)
	err := w.Run()
	res := seedResult{Seed: seed, SimTime: w.Now(), Events: w.Seq(),
		RNGCalls: w.RNGCalls(), TraceHash: w.TraceHash(), VerboseHash: w.VerboseHash(), Faults: w.Faults(),
		Asserts: seedAsserts(w), Wall: time.Since(start)}
	res.CryptoReads, res.CryptoBytes = w.CryptoRandReads()
	if s.Chaos.Swarm {
		res.Chaos = c.drawnString()
	}
	var f *sim.Failure
	if errors.As(err, &f) {
		res.Failure = f
	} else if err != nil {
		res.Failure = &sim.Failure{Seed: seed, Message: err.Error()}
	}
	if res.Failure == nil && !o.noChecks && len(s.SeedChecks) > 0 {
		res.check(c, o)
		res.Wall = time.Since(start)
	}
	return res
}

// check runs the seed checks of a seed that passed everything else.
func (res *seedResult) check(c *cluster, o seedOptions) {
	out := c.runSeedChecks(cmp.Or(o.checkTimeout, defaultCheckTimeout))
	res.Unknown = out.unknown
	if out.failed == "" {
		return
	}
	w := c.w
	res.Kind = "check"
	res.Failure = &sim.Failure{Kind: sim.FailWorkload, Seed: w.Seed(), At: w.Now(),
		RNGCalls: w.RNGCalls(), Message: out.failed, Stack: out.stack}
	if o.keepFiles {
		as, _ := w.Value(artifactsKey{}).([]artifact)
		res.Files = fillArtifacts(as)
	}
}

// seedAsserts returns the assertions of w's run, each failed one marked
// with the seed whose details it keeps, and each that came near holding
// with the seed that came so near, so that merging many seeds keeps those
// of the lowest (see assert.Merge).
func seedAsserts(w *sim.World) []assert.Result {
	rs := assert.Results(w)
	for i := range rs {
		if rs[i].Failed {
			rs[i].Seed = w.Seed()
		}
		if rs[i].Closest != "" {
			rs[i].ClosestSeed = w.Seed()
		}
	}
	return rs
}

// Planted reports whether the planted bug called name is switched on for
// this run (by --bug on the command line or Options.Bugs). Examples and
// tests of the tester use it to keep a known bug in the code, off by
// default; outside a simulation it is false.
func Planted(ctx context.Context, name string) bool {
	c := clusterOf(ctx)
	return c != nil && slices.Contains(c.bugs, name)
}

// SeedAt returns the i-th seed of a run: a 64-bit mix of i, so that seeds
// look unrelated and a run of N seeds is always the same N seeds.
func SeedAt(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
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
