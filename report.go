package orrery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// ReportFormat identifies the JSON report format; a file with another value
// is not a report of this version and is refused when merging. Version 2
// writes seeds as hex strings and records what the run was (bugs, swarm,
// seeds asked for, the simulation's options), so that merge can refuse
// shards of different runs. Version 3 records the run's first seed number
// and, in a merge, how far each shard ran (Parts), so that merge can tell
// a shard that stopped early from a gap.
const ReportFormat = "orrery-report/3"

// Report is the outcome of a run of many seeds: what failed and how to
// replay it, how much was simulated, which faults were injected and which
// assertions were exercised. It is written as a table for people and as
// JSON for machines (--report), and the JSON of shards merges.
type Report struct {
	Format     string `json:"format"`
	Simulation string `json:"simulation"`
	// Shard is the slice of the run's seeds the report covers, "3/16"
	// (1-based), or "1,3/16" for a merge of some shards; "" is the whole run.
	Shard string `json:"shard,omitempty"`
	// Bugs are the planted bugs switched on, sorted.
	Bugs  []string `json:"bugs,omitempty"`
	Swarm bool     `json:"swarm,omitempty"`
	// Requested is the number of seeds the run was asked for (Options.Seeds
	// after defaults: 0 means a budget or coverage decided).
	Requested int `json:"seeds_requested"`
	// FirstSeed is the seed number the run started at (Options.FirstSeed):
	// the report covers the first Seeds numbers of its shard's slice of
	// those from FirstSeed on (a merge: those of each of its Parts).
	FirstSeed uint64 `json:"first_seed"`
	// Config is a fingerprint of the simulation's options (hosts, network,
	// disk, chaos, MaxTime): two reports with different ones are of
	// different runs.
	Config   string        `json:"config,omitempty"`
	Seeds    int           `json:"seeds"` // seeds run
	Failed   int           `json:"failed"`
	Failures []SeedFailure `json:"failures,omitempty"` // sorted by seed
	// Unknown is how many seeds passed but for a seed check that could
	// not decide (see SeedCheck): neither failed nor passed, they fail
	// the run. Unknowns lists them, sorted by seed.
	Unknown  int           `json:"unknown,omitempty"`
	Unknowns []SeedFailure `json:"unknowns,omitempty"`
	// Stopped says why the run ended ("seeds", "budget", "covered",
	// "fail-fast", "blocked" when a seed blocked outside the simulation,
	// or "interrupted" by Options.Stop: then the report is not Complete).
	Stopped string           `json:"stopped"`
	SimTime time.Duration    `json:"sim_time_ns"`
	Events  uint64           `json:"events"`
	Wall    time.Duration    `json:"wall_ns"` // real time, all workers
	CPU     time.Duration    `json:"cpu_ns"`  // real time summed over seeds
	Faults  []sim.FaultCount `json:"faults,omitempty"`
	Asserts []assert.Result  `json:"assertions,omitempty"`
	// CryptoRand counts the reads of crypto/rand.Reader that the seeds'
	// tasks made (a library's keys, nonces, election timeouts) and the
	// bytes they were served: from the seed, unless the run served them
	// from the operating system (Options.CryptoRandFromOS), when its seeds
	// do not replay.
	CryptoRand CryptoRandCount `json:"crypto_rand,omitzero"`
	Complete   bool            `json:"complete"` // false while a run is in progress, or when it was interrupted
	// Replayed is true for a run of given seeds (Options.Replay): what
	// they did not reach says nothing of the run's coverage, so Missing
	// is empty.
	Replayed bool `json:"replayed,omitempty"`
	// Parts are, in a merge, the shards it holds, by shard: how many seeds
	// each ran and why it stopped.
	Parts []Part `json:"parts,omitempty"`
	// Explore is, for a report of Explore, what the search did; Seeds
	// then counts timelines.
	Explore *ExploreStats `json:"explore,omitempty"`

	from string // the file the report was read from, for messages
}

// CryptoRandCount is what a run's tasks read from crypto/rand.Reader.
type CryptoRandCount struct {
	Reads uint64 `json:"reads"`
	Bytes uint64 `json:"bytes"`
	// FromOS is set when the run served the reads from the operating
	// system (Options.CryptoRandFromOS), not from the seed.
	FromOS bool `json:"from_os,omitempty"`
}

// SeedFailure is one failing seed of a report: what failed, where in the
// execution and in the code, and how to replay it.
type SeedFailure struct {
	Seed    uint64        `json:"-"` // written as a hex string, "seed": "0x2a"
	Kind    string        `json:"kind"`
	Message string        `json:"message"`
	At      time.Duration `json:"at_ns"`
	// Seq is the event being processed when the seed failed: for an
	// invariant, the event whose processing broke it, where `trace why`
	// starts.
	Seq      uint64 `json:"seq"`
	RNGCalls uint64 `json:"rng_calls"`
	// TaskID and Task are the task at fault ("bank/conn"), if any.
	TaskID uint64 `json:"task_id,omitempty"`
	Task   string `json:"task,omitempty"`
	// Where is the innermost frame of the user's code, "dir/file.go:line".
	Where string `json:"where,omitempty"`
	// Stack is the stack of the user's code, for panics and blocked tasks.
	Stack string `json:"stack,omitempty"`
	// Parked lists every blocked task, for deadlocks and stalls.
	Parked []ParkedTask `json:"parked,omitempty"`
	Chaos  string       `json:"chaos,omitempty"`
	Replay string       `json:"replay"` // the command that replays it
	// Timeline is, for a timeline Explore ran, its branch points from the
	// seed ("151@0x2a,80@0x7"), which Replay names too.
	Timeline string `json:"timeline,omitempty"`
	// Artifacts is the seed's artifact directory and the files in it
	// (Options.Artifacts), when the run wrote them.
	Artifacts []string `json:"artifacts,omitempty"`
}

// ParkedTask is a task that was blocked when its seed failed.
type ParkedTask struct {
	ID     uint64 `json:"id"`
	Task   string `json:"task"` // "host/task"
	Daemon bool   `json:"daemon,omitempty"`
	// Waiting is what it waits on ("chan recv", "timer until t=1.5s").
	Waiting string `json:"waiting"`
	// HolderID and Holder are the task holding the lock it waits for.
	HolderID uint64 `json:"holder_id,omitempty"`
	Holder   string `json:"holder,omitempty"`
	Where    string `json:"where,omitempty"` // the user's file:line it is parked at
}

// String prints the task in one line, as the summary lists it.
func (p ParkedTask) String() string {
	kind := "task"
	if p.Daemon {
		kind = "daemon"
	}
	s := fmt.Sprintf("%s %d %q waiting on %s", kind, p.ID, p.Task, p.Waiting)
	if p.HolderID != 0 && !strings.Contains(p.Waiting, "held by") {
		s += fmt.Sprintf(" held by task %d %q", p.HolderID, p.Holder)
	}
	if p.Where != "" {
		s += " at " + p.Where
	}
	return s
}

// newReport starts the report of a run of s with opts (after defaults):
// what the run is, so that shards of different runs do not merge.
func newReport(s *Simulation, opts Options) *Report {
	bugs := slices.Clone(opts.Bugs)
	slices.Sort(bugs)
	requested := opts.Seeds
	if len(opts.Replay) > 0 {
		requested = len(opts.Replay)
	}
	return &Report{Format: ReportFormat, Simulation: s.Name, Shard: opts.Shard.String(),
		Bugs: slices.Compact(bugs), Swarm: s.Chaos.Swarm, Requested: requested, FirstSeed: opts.FirstSeed,
		Config: configOf(s), Replayed: len(opts.Replay) > 0, CryptoRand: CryptoRandCount{FromOS: opts.CryptoRandFromOS}}
}

// configOf fingerprints the options of s that change what its seeds do.
func configOf(s *Simulation) string {
	type host struct {
		Name  string
		Count int
		Tags  []string
	}
	var hosts []host
	for _, p := range s.Processes {
		hosts = append(hosts, host{p.Name, p.Count, p.Tags})
	}
	for _, w := range s.Workloads {
		hosts = append(hosts, host{"workload " + w.Name, w.Count, w.Tags})
	}
	var invariants []string
	for _, inv := range s.Invariants {
		invariants = append(invariants, inv.Name)
	}
	parts := []any{hosts, invariants, s.Network, s.Disk, s.Chaos, s.MaxTime}
	if len(s.SeedChecks) > 0 || s.Liveness > 0 { // left out when unused: older fingerprints stand
		var checks []string
		for _, sc := range s.SeedChecks {
			checks = append(checks, sc.Name)
		}
		parts = append(parts, checks, s.Liveness)
	}
	b, err := json.Marshal(parts)
	if err != nil {
		return "" // not comparable: merge does not check it
	}
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%016x", h.Sum64())
}

// OK reports whether the run passed: no seed failed, none is unknown, and
// every Sometimes-family assertion held at least once.
func (r *Report) OK() bool { return r.Failed == 0 && r.Unknown == 0 && len(r.Missing()) == 0 }

// Missing returns the assertions the run never exercised (see
// assert.Missing), which fail it.
func (r *Report) Missing() []assert.Result {
	if r.Replayed {
		return nil
	}
	return assert.Missing(r.Asserts)
}

// Speedup is how many times faster than real time the run went: logical
// time simulated over the wall time of the run, as the summary shows them.
func (r *Report) Speedup() float64 { return ratio(r.SimTime, r.Wall) }

// SpeedupPerCore is how many times faster than real time one seed runs on
// one core: logical time over the real time of the seeds summed.
func (r *Report) SpeedupPerCore() float64 { return ratio(r.SimTime, r.CPU) }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// add folds one seed into the report.
func (r *Report) add(res seedResult, replay string) {
	r.Seeds++
	r.SimTime += res.SimTime
	r.Events += res.Events
	r.CPU += res.Wall
	r.Faults = mergeFaults(r.Faults, res.Faults)
	r.Asserts = assert.Merge(r.Asserts, res.Asserts)
	r.CryptoRand.Reads += res.CryptoReads
	r.CryptoRand.Bytes += res.CryptoBytes
	if f := res.Failure; f != nil {
		r.Failed++
		r.Failures = append(r.Failures, seedFailure(res, replay))
	} else if res.Unknown != "" {
		r.Unknown++
		r.Unknowns = append(r.Unknowns, SeedFailure{Seed: res.Seed, Kind: "unknown", Message: res.Unknown,
			At: res.SimTime, Chaos: res.Chaos, Replay: replay})
	}
}

// seedFailure is what the report keeps of a failing seed.
func seedFailure(res seedResult, replay string) SeedFailure {
	f := res.Failure
	sf := SeedFailure{Seed: res.Seed, Kind: f.Kind.String(), Message: f.Message, At: f.At,
		Seq: f.Seq, RNGCalls: f.RNGCalls, TaskID: uint64(f.Task), Task: f.TaskName,
		Where: f.Where, Stack: f.Stack, Chaos: res.Chaos, Replay: replay, Artifacts: res.Artifacts}
	if res.Kind != "" {
		sf.Kind = res.Kind
	}
	for _, p := range f.Parked {
		sf.Parked = append(sf.Parked, parkedTask(p))
	}
	return sf
}

func mergeFaults(a, b []sim.FaultCount) []sim.FaultCount {
	out := slices.Clone(a)
	for _, f := range b {
		i := slices.IndexFunc(out, func(g sim.FaultCount) bool { return g.Name == f.Name })
		if i < 0 {
			out = append(out, f)
		} else {
			out[i].Count += f.Count
		}
	}
	slices.SortFunc(out, func(x, y sim.FaultCount) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// MarshalJSON writes the failure with its seed as a hex string.
func (f SeedFailure) MarshalJSON() ([]byte, error) {
	type plain SeedFailure
	return json.Marshal(struct {
		Seed string `json:"seed"`
		plain
	}{fmt.Sprintf("%#x", f.Seed), plain(f)})
}

// UnmarshalJSON reads a failure, whose seed must be a hex string.
func (f *SeedFailure) UnmarshalJSON(b []byte) error {
	type plain SeedFailure
	v := struct {
		Seed *json.RawMessage `json:"seed"`
		*plain
	}{plain: (*plain)(f)}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if v.Seed == nil {
		return errors.New("a failure without a seed: want a 64-bit hex string such as \"0x2a\"")
	}
	seed, err := hexSeed(*v.Seed)
	f.Seed = seed
	return err
}

// hexSeed reads a seed written as a JSON string of hex digits, "0x2a".
func hexSeed(raw []byte) (uint64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if digits, ok := strings.CutPrefix(s, "0x"); ok {
			if v, err := strconv.ParseUint(digits, 16, 64); err == nil {
				return v, nil
			}
		}
	}
	return 0, fmt.Errorf("seed %s: want a 64-bit hex string such as \"0x2a\"", raw)
}

// ReadReport decodes a JSON report, refusing a file that is not one
// complete, consistent report of this format. When rd is a file, messages
// name it.
func ReadReport(rd io.Reader) (*Report, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, err
	}
	var probe struct{ Format string }
	if err := json.Unmarshal(data, &probe); err == nil && probe.Format != "" && probe.Format != ReportFormat {
		return nil, formatError(probe.Format)
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not an orrery report: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not an orrery report: data after the report's JSON")
	}
	if f, ok := rd.(interface{ Name() string }); ok {
		r.from = f.Name()
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return &r, nil
}

// check refuses a report that no run can have written.
func (r *Report) check() error {
	switch {
	case r.Format != ReportFormat:
		return formatError(r.Format)
	case !r.Complete:
		return errors.New("an incomplete report: its run did not finish")
	case r.Seeds < 0 || r.Failed < 0 || r.Requested < 0 || r.SimTime < 0 || r.Wall < 0 || r.CPU < 0:
		return fmt.Errorf("a report with a negative count: seeds %d, failed %d, requested %d, times %v %v %v",
			r.Seeds, r.Failed, r.Requested, r.SimTime, r.Wall, r.CPU)
	case r.Failed > r.Seeds || len(r.Failures) != r.Failed:
		return fmt.Errorf("an inconsistent report: %d of %d seeds failed, %d failures listed", r.Failed, r.Seeds, len(r.Failures))
	case r.Unknown < 0 || r.Failed+r.Unknown > r.Seeds || len(r.Unknowns) != r.Unknown:
		return fmt.Errorf("an inconsistent report: %d of %d seeds unknown, %d listed", r.Unknown, r.Seeds, len(r.Unknowns))
	}
	for _, f := range r.Faults {
		if f.Count < 0 {
			return fmt.Errorf("a report with a negative count: fault %s %d", f.Name, f.Count)
		}
	}
	if _, err := parseShardSet(r.Shard); err != nil {
		return err
	}
	return r.checkParts()
}

// parkedTask is what the report keeps of a blocked task.
func parkedTask(p sim.ParkedTask) ParkedTask {
	return ParkedTask{ID: uint64(p.ID), Task: p.Name, Daemon: p.Daemon, Waiting: p.Waiting,
		HolderID: uint64(p.Holder), Holder: p.HolderName, Where: p.Where}
}
