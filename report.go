package orrery

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// ReportFormat identifies the JSON report format; a file with another value
// is not a report of this version and is refused when merging.
const ReportFormat = "orrery-report/1"

// Report is the outcome of a run of many seeds: what failed and how to
// replay it, how much was simulated, which faults were injected and which
// assertions were exercised. It is written as a table for people and as
// JSON for machines (--report), and the JSON of shards merges.
type Report struct {
	Format     string        `json:"format"`
	Simulation string        `json:"simulation"`
	Shard      string        `json:"shard,omitempty"` // "3/16" when sharded
	Seeds      int           `json:"seeds"`           // seeds run
	Failed     int           `json:"failed"`
	Failures   []SeedFailure `json:"failures,omitempty"`
	// Stopped says why the run ended ("seeds", "budget", "covered").
	Stopped  string           `json:"stopped"`
	SimTime  time.Duration    `json:"sim_time_ns"`
	Events   uint64           `json:"events"`
	Wall     time.Duration    `json:"wall_ns"` // real time, all workers
	CPU      time.Duration    `json:"cpu_ns"`  // real time summed over seeds
	Faults   []sim.FaultCount `json:"faults,omitempty"`
	Asserts  []assert.Result  `json:"assertions,omitempty"`
	Complete bool             `json:"complete"` // false while a run is in progress
}

// SeedFailure is one failing seed of a report.
type SeedFailure struct {
	Seed    uint64        `json:"seed"`
	Kind    string        `json:"kind"`
	Message string        `json:"message"`
	At      time.Duration `json:"at_ns"`
	Seq     uint64        `json:"seq"`
	Chaos   string        `json:"chaos,omitempty"`
	Replay  string        `json:"replay"` // the command that replays it
}

// OK reports whether the run passed: no seed failed and every Sometimes-
// family assertion held at least once.
func (r *Report) OK() bool { return r.Failed == 0 && len(r.Missing()) == 0 }

// Missing returns the assertions the run never exercised (see
// assert.Missing), which fail it.
func (r *Report) Missing() []assert.Result { return assert.Missing(r.Asserts) }

// Speedup is how many times faster than real time the seeds ran: logical
// time simulated over real time spent (summed over workers).
func (r *Report) Speedup() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.SimTime) / float64(r.CPU)
}

// add folds one seed into the report.
func (r *Report) add(res SeedResult, replay string) {
	r.Seeds++
	r.SimTime += res.SimTime
	r.Events += res.Events
	r.CPU += res.Wall
	r.Faults = mergeFaults(r.Faults, res.Faults)
	r.Asserts = assert.Merge(r.Asserts, res.Asserts)
	if f := res.Failure; f != nil {
		r.Failed++
		r.Failures = append(r.Failures, SeedFailure{Seed: res.Seed, Kind: f.Kind.String(),
			Message: f.Message, At: f.At, Seq: f.Seq, Chaos: res.Chaos, Replay: replay})
	}
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

// writeJSONTo is WriteJSON in the shape of io.WriterTo.
func (r *Report) writeJSONTo(w io.Writer) (int64, error) { return 0, r.WriteJSON(w) }

// ReadReport decodes a JSON report, refusing a file that is not a complete
// report of this format.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not an orrery report: %w", err)
	}
	if r.Format != ReportFormat {
		return nil, fmt.Errorf("not an orrery report: format %q, want %q", r.Format, ReportFormat)
	}
	if !r.Complete {
		return nil, errors.New("an incomplete report: its run did not finish")
	}
	return &r, nil
}

// MergeReports combines the reports of shards of one run into one. The
// reports must be of the same simulation.
func MergeReports(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("merge: no reports")
	}
	out := &Report{Format: ReportFormat, Simulation: reports[0].Simulation, Stopped: "merged", Complete: true}
	for _, r := range reports {
		if r.Simulation != out.Simulation {
			return nil, fmt.Errorf("merge: reports of two simulations, %q and %q", out.Simulation, r.Simulation)
		}
		out.absorb(r)
		out.Wall = max(out.Wall, r.Wall)
	}
	return out, nil
}

// absorb adds the seeds of o to r (all but the wall time, which depends on
// how the two ran).
func (r *Report) absorb(o *Report) {
	r.Seeds += o.Seeds
	r.Failed += o.Failed
	r.Failures = append(r.Failures, o.Failures...)
	r.SimTime += o.SimTime
	r.Events += o.Events
	r.CPU += o.CPU
	r.Faults = mergeFaults(r.Faults, o.Faults)
	r.Asserts = assert.Merge(r.Asserts, o.Asserts)
	slices.SortFunc(r.Failures, func(a, b SeedFailure) int { return cmpU64(a.Seed, b.Seed) })
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// WriteTable writes the summary people read at the end of a run.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "simulation\t%s\n", r.Simulation)
	if r.Shard != "" {
		fmt.Fprintf(tw, "shard\t%s\n", r.Shard)
	}
	fmt.Fprintf(tw, "seeds\t%d run, %d failed (stopped: %s)\n", r.Seeds, r.Failed, r.Stopped)
	fmt.Fprintf(tw, "sim time\t%v\n", r.SimTime.Round(time.Millisecond))
	fmt.Fprintf(tw, "events\t%d\n", r.Events)
	fmt.Fprintf(tw, "wall time\t%v\n", r.Wall.Round(time.Microsecond))
	fmt.Fprintf(tw, "speed-up\t%.0fx real time\n", r.Speedup())
	r.writeFaults(tw)
	r.writeAsserts(tw)
	r.writeFailures(tw)
	return tw.Flush()
}

func (r *Report) writeFaults(w io.Writer) {
	if len(r.Faults) == 0 {
		fmt.Fprintf(w, "faults\tnone injected\n")
		return
	}
	for i, f := range r.Faults {
		label := ""
		if i == 0 {
			label = "faults"
		}
		fmt.Fprintf(w, "%s\t%s\t%d\n", label, f.Name, f.Count)
	}
}

func (r *Report) writeAsserts(w io.Writer) {
	for i, a := range r.Asserts {
		label := ""
		if i == 0 {
			label = "assertions"
		}
		name := a.Message
		if a.Bucket != "" {
			name += " [" + a.Bucket + "]"
		}
		status := "ok"
		switch {
		case a.Failed:
			status = "FAILED"
		case slices.ContainsFunc(r.Missing(), func(m assert.Result) bool { return m.Message == a.Message && m.Bucket == a.Bucket }):
			status = "NEVER"
		}
		fmt.Fprintf(w, "%s\t%s %s\t%d/%d\n", label, status, name, a.Passed, a.Evaluated)
	}
}

// maxListed is how many failing seeds the table lists; the JSON report has
// them all.
const maxListed = 10

func (r *Report) writeFailures(w io.Writer) {
	for i, f := range r.Failures {
		if i == maxListed {
			fmt.Fprintf(w, "FAIL\t... and %d more failing seeds (--report lists them all)\n", len(r.Failures)-i)
			return
		}
		fmt.Fprintf(w, "FAIL\tseed %#x: %s: %s\n", f.Seed, f.Kind, f.Message)
		if f.Chaos != "" {
			fmt.Fprintf(w, "\tchaos: %s\n", f.Chaos)
		}
		fmt.Fprintf(w, "\treplay: %s\n", f.Replay)
	}
}
