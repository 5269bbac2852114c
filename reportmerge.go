package orrery

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/assert"
)

// MergeReports combines the reports of the shards of one run into one. It
// refuses, naming the two reports (their files, when ReadReport read them
// from files), reports that are not disjoint shards of one run: of two
// simulations, with different planted bugs, swarm on and off, different
// seed counts, first seed numbers or simulation options, the same shard
// twice, shards of different counts, or a whole run with anything else.
// It refuses a report with a gap it cannot explain, too: a shard that ran
// fewer seeds than its slice holds must have stopped early (a budget,
// coverage, or its last seed failing with FailFast). The merge keeps, in
// Parts, how far each shard ran.
func MergeReports(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("merge: no reports")
	}
	first := reports[0]
	for i, r := range reports[1:] {
		if err := sameRun(first, r); err != nil {
			return nil, fmt.Errorf("merge: %s and %s %w", first.name(0), r.name(i+1), err)
		}
	}
	for i, r := range reports {
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", r.name(i), err)
		}
		if err := r.checkCoverage(); err != nil {
			return nil, fmt.Errorf("merge: %s: %w", r.name(i), err)
		}
	}
	shard, err := mergeShards(reports)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	out := &Report{Format: ReportFormat, Simulation: first.Simulation, Shard: shard, Bugs: first.Bugs,
		Swarm: first.Swarm, Requested: first.Requested, FirstSeed: first.FirstSeed, Config: first.Config,
		Stopped: stoppedMerged, Complete: true}
	for _, r := range reports {
		out.absorb(r)
		out.Wall = max(out.Wall, r.Wall)
		out.Parts = append(out.Parts, r.parts()...)
	}
	slices.SortFunc(out.Parts, func(a, b Part) int { return cmp.Compare(a.index(), b.index()) })
	return out, nil
}

// name is how messages call the i-th report: its file, or its position.
func (r *Report) name(i int) string {
	if r.from != "" {
		return r.from
	}
	return fmt.Sprintf("report %d", i+1)
}

// sameRun says how b is not of the same run as a, or nil.
func sameRun(a, b *Report) error {
	switch {
	case a.Simulation != b.Simulation:
		return fmt.Errorf("are of two simulations, %q and %q", a.Simulation, b.Simulation)
	case !slices.Equal(a.Bugs, b.Bugs):
		return fmt.Errorf("ran different planted bugs, %s and %s", bugList(a.Bugs), bugList(b.Bugs))
	case a.Swarm != b.Swarm:
		return fmt.Errorf("differ in swarm: %s and %s", onOff(a.Swarm), onOff(b.Swarm))
	case a.FirstSeed != b.FirstSeed:
		return rangeError(a, b)
	case a.Requested != b.Requested:
		return fmt.Errorf("asked for different seed counts, %d and %d", a.Requested, b.Requested)
	case a.Config != b.Config:
		return fmt.Errorf("ran different simulation options (config %s and %s)", a.Config, b.Config)
	}
	return nil
}

func bugList(bugs []string) string {
	if len(bugs) == 0 {
		return "none"
	}
	return strings.Join(bugs, ",")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// absorb adds the seeds of o to r (all but the wall time, which depends on
// how the two ran). The result does not depend on the order of absorbs.
func (r *Report) absorb(o *Report) {
	r.Seeds += o.Seeds
	r.Failed += o.Failed
	r.Failures = append(r.Failures, o.Failures...)
	r.Unknown += o.Unknown
	r.Unknowns = append(r.Unknowns, o.Unknowns...)
	r.SimTime += o.SimTime
	r.Events += o.Events
	r.CPU += o.CPU
	r.Faults = mergeFaults(r.Faults, o.Faults)
	r.Asserts = assert.Merge(r.Asserts, o.Asserts)
	r.CryptoRand.Reads += o.CryptoRand.Reads
	r.CryptoRand.Bytes += o.CryptoRand.Bytes
	r.CryptoRand.FromOS = r.CryptoRand.FromOS || o.CryptoRand.FromOS
	slices.SortStableFunc(r.Failures, func(a, b SeedFailure) int { return cmp.Compare(a.Seed, b.Seed) })
	slices.SortStableFunc(r.Unknowns, func(a, b SeedFailure) int { return cmp.Compare(a.Seed, b.Seed) })
}

// shardSet is the shards a report covers: Count 0 is the whole run,
// otherwise Index holds the 1-based shards of Count, sorted.
type shardSet struct {
	Index []int
	Count int
}

// parseShardSet reads a report's shard field: "" (the whole run), "3/16"
// or "1,3/16".
func parseShardSet(s string) (shardSet, error) {
	if s == "" {
		return shardSet{}, nil
	}
	bad := fmt.Errorf("shard %q: want K/N or K1,K2,.../N with 1 <= K <= N", s)
	list, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 2 {
		return shardSet{}, bad
	}
	set := shardSet{Count: n}
	for _, ks := range strings.Split(list, ",") {
		k, err := strconv.Atoi(ks)
		if err != nil || k < 1 || k > n || slices.Contains(set.Index, k) {
			return shardSet{}, bad
		}
		set.Index = append(set.Index, k)
	}
	slices.Sort(set.Index)
	return set, nil
}

// String prints the set as the shard field holds it.
func (s shardSet) String() string {
	if s.Count == 0 || len(s.Index) == s.Count {
		return ""
	}
	ks := make([]string, len(s.Index))
	for i, k := range s.Index {
		ks[i] = strconv.Itoa(k)
	}
	return strings.Join(ks, ",") + "/" + strconv.Itoa(s.Count)
}

// mergeShards returns the shard field of the merge of reports, refusing
// reports whose seeds overlap or that slice the run differently.
func mergeShards(reports []*Report) (string, error) {
	union := shardSet{}
	owner := map[int]int{} // shard -> report that holds it
	for i, r := range reports {
		set, err := parseShardSet(r.Shard)
		if err != nil {
			return "", fmt.Errorf("%s: %w", r.name(i), err)
		}
		if i == 0 {
			union.Count = set.Count
		}
		if err := overlaps(reports, i, set, union, owner); err != nil {
			return "", err
		}
		for _, k := range set.Index {
			owner[k] = i
		}
		union.Index = append(union.Index, set.Index...)
	}
	slices.Sort(union.Index)
	return union.String(), nil
}

// overlaps says how report i, covering set, meets the reports before it,
// which cover union (owner says which holds each shard).
func overlaps(reports []*Report, i int, set, union shardSet, owner map[int]int) error {
	if i == 0 {
		return nil
	}
	first, this := reports[0].name(0), reports[i].name(i)
	switch {
	case set.Count == 0 || union.Count == 0:
		return fmt.Errorf("%s and %s overlap: %s covers every seed of the run", first, this, wholeOne(reports[0], reports[i], first, this))
	case set.Count != union.Count:
		return fmt.Errorf("%s and %s slice the run differently: shard %s and shard %s", first, this, reports[0].Shard, reports[i].Shard)
	}
	for _, k := range set.Index {
		if j, ok := owner[k]; ok {
			return fmt.Errorf("%s and %s both hold shard %d/%d", reports[j].name(j), this, k, set.Count)
		}
	}
	return nil
}

// wholeOne names which of two reports covers the whole run.
func wholeOne(a, b *Report, an, bn string) string {
	switch {
	case a.Shard == "" && b.Shard == "":
		return "each"
	case a.Shard == "":
		return an
	}
	return bn
}

// stoppedMerged is the Stopped of a merge: its Parts say why each shard
// stopped.
const stoppedMerged = "merged"

// Part is one shard of a merged report: how many seeds of its slice it
// ran (always the first ones: see Options.FirstSeed) and why it stopped.
type Part struct {
	Shard   string `json:"shard,omitempty"` // "3/16", or "" for a whole run
	Seeds   int    `json:"seeds"`
	Stopped string `json:"stopped"` // as Report.Stopped
}

// slice is the part's shard as a 0-based index and a count (0, 1 for a
// whole run); the shard must parse.
func (p Part) slice() (k, n int) {
	set, err := parseShardSet(p.Shard)
	if err != nil || set.Count == 0 || len(set.Index) != 1 {
		return 0, 1
	}
	return set.Index[0] - 1, set.Count
}

func (p Part) index() int { k, _ := p.slice(); return k }

// name is how messages call the part.
func (p Part) name() string {
	if p.Shard == "" {
		return "the run"
	}
	return "shard " + p.Shard
}

// parts returns the shards the report holds: its Parts in a merge, else
// itself.
func (r *Report) parts() []Part {
	if r.Stopped == stoppedMerged {
		return r.Parts
	}
	return []Part{{Shard: r.Shard, Seeds: r.Seeds, Stopped: r.Stopped}}
}

// sliceSize is how many of n seed numbers shard k (0-based) of count
// holds.
func sliceSize(n, k, count int) int {
	return max(n-k+count-1, 0) / count
}

// stopReasons are the Stopped of a complete report of one run.
var stopReasons = []string{stoppedSeeds, stoppedBudget, stoppedCovered, stoppedFailFast, stoppedBlocked}

// checkParts refuses a report whose parts do not add up: a merge whose
// Parts are not its shards, one each, with its seeds between them.
func (r *Report) checkParts() error {
	if r.Stopped != stoppedMerged {
		if len(r.Parts) > 0 {
			return fmt.Errorf("an inconsistent report: parts in a report that is no merge (stopped: %s)", r.Stopped)
		}
		return nil
	}
	set, _ := parseShardSet(r.Shard) // checked before
	seeds, shards := 0, []string{}
	for _, p := range r.Parts {
		if !slices.Contains(stopReasons, p.Stopped) {
			return fmt.Errorf("an inconsistent report: %s stopped %q, which is no reason a run stops", p.name(), p.Stopped)
		}
		seeds += p.Seeds
		shards = append(shards, p.Shard)
	}
	want := wholeOrShards(set, r.Parts)
	if !slices.Equal(shards, want) || seeds != r.Seeds {
		return fmt.Errorf("an inconsistent report: a merge of shards %q with %d seeds lists parts %q with %d",
			want, r.Seeds, shards, seeds)
	}
	return nil
}

// wholeOrShards is the shard fields of the parts of a merge that holds
// set, in order: every shard of the count of its parts when set is the
// whole run, or the run itself.
func wholeOrShards(set shardSet, parts []Part) []string {
	if set.Count == 0 && len(parts) > 0 {
		_, set.Count = parts[0].slice()
		for k := range set.Count {
			set.Index = append(set.Index, k+1)
		}
	}
	if set.Count <= 1 {
		return []string{""}
	}
	var out []string
	for _, k := range set.Index {
		out = append(out, fmt.Sprintf("%d/%d", k, set.Count))
	}
	return out
}

// checkCoverage refuses a report with a gap that nothing explains: a
// shard that ran fewer seeds than its slice holds must have stopped
// early, and one that stopped at a failing seed ends with it.
func (r *Report) checkCoverage() error {
	for _, p := range r.parts() {
		k, n := p.slice()
		size := sliceSize(r.Requested, k, n)
		switch {
		case r.Requested > 0 && p.Seeds > size:
			return fmt.Errorf("%s ran %d seeds, more than the %d its slice of %d holds", p.name(), p.Seeds, size, r.Requested)
		case p.Stopped == stoppedSeeds && r.Requested == 0:
			return fmt.Errorf("a gap: %s says it ran all its seeds (stopped: %s), but its run asked for no seed count, which only a budget or coverage stops",
				p.name(), p.Stopped)
		case p.Stopped == stoppedSeeds && p.Seeds != size:
			return fmt.Errorf("a gap: %s ran %d of the %d seeds of its slice, yet did not stop early (stopped: %s)",
				p.name(), p.Seeds, size, p.Stopped)
		case p.Stopped == stoppedFailFast || p.Stopped == stoppedBlocked:
			if err := r.endsFailing(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// endsFailing refuses part p that stopped at a failing seed
// but whose last seed did not fail.
func (r *Report) endsFailing(p Part) error {
	if p.Seeds > 0 {
		last := SeedAt(r.lastNumber(p))
		if slices.ContainsFunc(r.Failures, func(f SeedFailure) bool { return f.Seed == last }) {
			return nil
		}
	}
	return fmt.Errorf("a gap: %s stopped at a failing seed (stopped: %s), but the last of its %d seeds did not fail",
		p.name(), p.Stopped, p.Seeds)
}

// rangeError says how the seed ranges of two runs that start at different
// seed numbers meet.
func rangeError(a, b *Report) error {
	lo, hi := a, b
	if b.FirstSeed < a.FirstSeed {
		lo, hi = b, a
	}
	if lo.Requested == 0 || hi.FirstSeed-lo.FirstSeed < uint64(lo.Requested) {
		return fmt.Errorf("overlap: their seed ranges, numbers %s and %s, share seed numbers", seedRange(a), seedRange(b))
	}
	return fmt.Errorf("cover two seed ranges, numbers %s and %s: merge takes the shards of one run, which start at one seed number",
		seedRange(a), seedRange(b))
}

// seedRange is the seed numbers a run covers, all shards together.
func seedRange(r *Report) string {
	if r.Requested == 0 {
		return fmt.Sprintf("%d on", r.FirstSeed)
	}
	return fmt.Sprintf("%d to %d", r.FirstSeed, r.FirstSeed+uint64(r.Requested)-1)
}

// seedNumbers says, for the summary, which seed numbers the report covers.
func (r *Report) seedNumbers() string {
	parts := r.parts()
	if len(parts) == 1 {
		k, n := parts[0].slice()
		s := fmt.Sprintf("%d to %d", r.FirstSeed+uint64(k), r.lastNumber(parts[0]))
		if n > 1 {
			s += fmt.Sprintf(", one in %d", n)
		}
		return s
	}
	lo, hi, last, full := parts[0].Seeds, parts[0].Seeds, r.FirstSeed, r.Requested > 0
	for _, p := range parts {
		k, n := p.slice()
		lo, hi, last = min(lo, p.Seeds), max(hi, p.Seeds), max(last, r.lastNumber(p))
		full = full && p.Seeds == sliceSize(r.Requested, k, n)
	}
	s := fmt.Sprintf("%d to %d", r.FirstSeed, last)
	if _, n := parts[0].slice(); !full || len(parts) < n {
		s += fmt.Sprintf(" in %d of %d shards, each as far as it ran (%d to %d seeds)", len(parts), n, lo, hi)
	}
	return s
}

// lastNumber is the seed number of the last seed part p ran.
func (r *Report) lastNumber(p Part) uint64 {
	k, n := p.slice()
	return r.FirstSeed + uint64(k) + uint64(max(p.Seeds-1, 0))*uint64(n)
}

// MissingShards returns the shards (1-based) of the run that a report does
// not hold, in order: none for a whole run or a merge of all its shards.
// A final merge that misses some is of a sweep that lost them.
func (r *Report) MissingShards() []int {
	set, err := parseShardSet(r.Shard)
	if err != nil || set.Count == 0 {
		return nil
	}
	var out []int
	for k := 1; k <= set.Count; k++ {
		if !slices.Contains(set.Index, k) {
			out = append(out, k)
		}
	}
	return out
}

// formatError refuses a report of another format, saying whether it is
// another version's.
func formatError(format string) error {
	if strings.HasPrefix(format, "orrery-report/") {
		return fmt.Errorf("a report of format %q, from another version of orrery: this one reads %q (run its seeds again, or merge it with the orrery that wrote it)",
			format, ReportFormat)
	}
	return fmt.Errorf("not an orrery report: format %q, want %q", format, ReportFormat)
}
