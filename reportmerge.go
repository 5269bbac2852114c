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
// seed counts or simulation options, the same shard twice, shards of
// different counts, or a whole run with anything else.
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
	}
	shard, err := mergeShards(reports)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	out := &Report{Format: ReportFormat, Simulation: first.Simulation, Shard: shard, Bugs: first.Bugs,
		Swarm: first.Swarm, Requested: first.Requested, Config: first.Config, Stopped: "merged", Complete: true}
	for _, r := range reports {
		out.absorb(r)
		out.Wall = max(out.Wall, r.Wall)
	}
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
