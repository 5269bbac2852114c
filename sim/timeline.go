package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/trace"
)

// Branch is a branch point of a timeline: when the main stream has served
// At calls since the run started or since the previous branch, it is
// reseeded with Seed and its call count restarts at zero.
type Branch struct {
	At   uint64 // main-stream calls since the previous branch point
	Seed uint64
}

// String prints the branch point as "151@0x2a".
func (b Branch) String() string { return fmt.Sprintf("%d@%#x", b.At, b.Seed) }

// Timeline is a run's list of branch points, in order: a root seed and its
// timeline decide every draw of the main stream, so that a run that took
// a rare path can be continued from any of its decisions with fresh
// randomness, and replayed bit for bit. The empty timeline is the seed's
// own run.
type Timeline []Branch

// String prints the timeline as --timeline takes it, "151@0x2a,80@0x7".
func (t Timeline) String() string {
	parts := make([]string, len(t))
	for i, b := range t {
		parts[i] = b.String()
	}
	return strings.Join(parts, ",")
}

// ParseTimeline reads a timeline as String prints it: branch points
// "count@seed" separated by commas, the seed in hex (0x2a) or decimal.
// The empty string is the empty timeline.
func ParseTimeline(s string) (Timeline, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var t Timeline
	for part := range strings.SplitSeq(s, ",") {
		b, err := parseBranch(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("timeline %q: %w", s, err)
		}
		t = append(t, b)
	}
	return t, nil
}

func parseBranch(s string) (Branch, error) {
	at, seed, ok := strings.Cut(s, "@")
	if !ok {
		return Branch{}, fmt.Errorf("branch point %q: want count@seed, such as 151@0x2a", s)
	}
	n, err := strconv.ParseUint(at, 10, 64)
	if err != nil || (len(at) > 1 && at[0] == '0') {
		return Branch{}, fmt.Errorf("branch point %q: count %q: want a decimal number of calls", s, at)
	}
	base, digits := 10, seed
	if rest, ok := strings.CutPrefix(strings.ToLower(seed), "0x"); ok {
		base, digits = 16, rest
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return Branch{}, fmt.Errorf("branch point %q: seed %q: want hex (0x2a) or decimal", s, seed)
	}
	return Branch{At: n, Seed: v}, nil
}

// timelineState is where a main stream is in its timeline.
type timelineState struct {
	t    Timeline
	next int            // the branch point to take next
	took func(b Branch) // writes the trace's mark
}

// branch reseeds the stream at its next branch point.
func (r *Rand) branch() {
	st := r.tl
	b := st.t[st.next]
	st.next++
	r.src.Seed(b.Seed^saltMain, saltMain)
	if r.ent != nil { // a branch replaces the stream, entropy and all
		r.ent, r.r = nil, rand.New(&r.src)
	}
	r.calls = 0
	r.branchAt = math.MaxUint64
	if st.next < len(st.t) {
		r.branchAt = st.t[st.next].At
	}
	r.setGate()
	if st.took != nil {
		st.took(b)
	}
}

// errTimelineLate is SetTimeline's error once the main stream has drawn.
var errTimelineLate = errors.New("sim: timeline: set it before the main stream's first draw")

// SetTimeline makes the run follow t: the main stream branches at each of
// its points, and the trace marks each branch with a record of kind
// "Timeline" (op "branch", detail "151@0x2a"), which the trace hash holds,
// stamped rng=0 as the count restarts. It must be called before the main
// stream's first draw, before Run.
func (w *World) SetTimeline(t Timeline) error {
	if w.rng.calls > 0 || w.rng.tl != nil {
		return errTimelineLate
	}
	if len(t) == 0 {
		return nil
	}
	w.rng.tl = &timelineState{t: t, took: func(b Branch) {
		w.Record("sim", trace.Record{Level: slog.LevelInfo, Kind: KindTimeline, Op: "branch",
			Name: strconv.Itoa(w.rng.tl.next), Detail: b.String()})
	}}
	w.rng.branchAt = t[0].At
	w.rng.setGate()
	return nil
}

// KindTimeline is the kind of the trace record that marks a branch point.
const KindTimeline = "Timeline"

// Branches returns how many branch points of its timeline the run has
// taken: a position in the run is this segment and RNGCalls within it.
func (w *World) Branches() int {
	if w.rng.tl == nil {
		return 0
	}
	return w.rng.tl.next
}

// entropy is a source that takes one byte of its input per 64-bit value,
// as the value's top byte and the top byte of its low 53 bits, so that the
// byte decides IntN's and Int64N's result (from the high bits) and
// Float64's (from the low 53) alike; the other bits, and every value once
// the input is used up, come from a stream seeded with the input's hash.
type entropy struct {
	data []byte
	pos  int
	rest rand.PCG
}

// entropyByteMask clears the bits that an input byte sets.
const entropyByteMask = ^(uint64(0xff)<<56 | uint64(0xff)<<45)

func (e *entropy) Uint64() uint64 {
	x := e.rest.Uint64()
	if e.pos < len(e.data) {
		b := uint64(e.data[e.pos])
		e.pos++
		x = x&entropyByteMask | b<<56 | b<<45
	}
	return x
}

// EntropySeed is the root seed of a run whose main stream draws from data
// (SetEntropy): an FNV-1a hash of data, which also seeds the derived
// streams, so that the bytes alone name the run.
func EntropySeed(data []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range data {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

// SetEntropy makes the main stream draw from data first: each draw's
// first 64-bit value takes one byte of data, which decides it (a byte
// below 13 makes Float64 below 0.05), and once data is used up the stream
// continues from its hash. It is how Go's fuzzer drives a run (see
// orrerytest.Fuzz): a mutated byte is a changed decision. It must be
// called before the main stream's first draw, and a timeline's branch
// (SetTimeline) replaces the entropy with the branch's seed.
func (w *World) SetEntropy(data []byte) error {
	if w.rng.calls > 0 || w.rng.ent != nil {
		return errors.New("sim: entropy: set it before the main stream's first draw")
	}
	e := &entropy{data: data}
	h := EntropySeed(data)
	e.rest.Seed(h^saltMain, saltMain)
	w.rng.ent, w.rng.r = e, rand.New(e)
	w.rng.setGate()
	return nil
}
