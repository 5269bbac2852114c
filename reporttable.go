package orrery

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orrerysim/orrery/assert"
)

// TableHints are what a summary tells people to type, which depends on
// the tool that printed it: the command line and the Go API (WriteTable),
// or go test (package orrerytest).
type TableHints struct {
	// ListAll says how to see every failing seed, when the table lists
	// only the first ones ("--report FILE lists them all").
	ListAll string
	// Why returns the replay command of a failing seed that writes its
	// trace to file, and the command that explains event seq of it.
	Why func(replay, file string, seq uint64) (replayTraced, why string)
	// KeepArtifacts says how to keep a failing seed's artifacts, for a
	// failed seed check that kept none ("--artifacts DIR"); "" says
	// nothing.
	KeepArtifacts string
	// WhyKept returns the command that explains event seq of a failing
	// seed whose trace the run kept among its artifacts, at trace (as
	// Report.Failures lists it), which is there already: no replay is
	// needed. Nil: the table prints Why's commands instead.
	WhyKept func(replay, trace string, seq uint64) string
}

// cliHints are the hints of the orrery command line (run, replay, report
// merge), whose replay commands take --trace and whose program holds the
// trace tools, and of the Go API.
var cliHints = TableHints{
	ListAll: "--report FILE lists them all",
	Why: func(replay, file string, seq uint64) (string, string) {
		prog, _, ok := strings.Cut(replay, " replay ")
		if !ok { // the Go API
			return replay, fmt.Sprintf("orrery trace why TRACE %d, on the seed's trace (Options.Trace)", seq)
		}
		return replay + " --trace " + file, fmt.Sprintf("%s trace why %s %d", prog, file, seq)
	},
	KeepArtifacts: "--artifacts DIR (Options.Artifacts)",
	WhyKept: func(replay, trace string, seq uint64) string {
		prog, _, ok := strings.Cut(replay, " replay ")
		if !ok { // the Go API
			prog = "orrery"
		}
		return fmt.Sprintf("%s trace why %s %d", prog, trace, seq)
	},
}

// WriteTable writes the summary people read at the end of a run: the
// figures of the run, then the failing seeds, the lowest with all that is
// known of it (where, stack, parked tasks, the trace why command) and the
// others in one line with their replay command.
func (r *Report) WriteTable(w io.Writer) error { return r.WriteTableWith(w, cliHints) }

// WriteTableWith is WriteTable for another tool, whose hints say how to
// list every failing seed and how to trace and explain one.
func (r *Report) WriteTableWith(w io.Writer, h TableHints) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "simulation\t%s\n", r.Simulation)
	if r.Shard != "" {
		fmt.Fprintf(tw, "shard\t%s\n", r.Shard)
	}
	if r.FirstSeed != 0 {
		fmt.Fprintf(tw, "seed numbers\t%s\n", r.seedNumbers())
	}
	fmt.Fprintf(tw, "seeds\t%d run, %d failed%s (stopped: %s)\n", r.Seeds, r.Failed, r.unknownCount(), r.Stopped)
	r.writeExplore(tw)
	fmt.Fprintf(tw, "sim time\t%v\n", r.SimTime.Round(time.Millisecond))
	fmt.Fprintf(tw, "events\t%d\n", r.Events)
	fmt.Fprintf(tw, "wall time\t%v (%v summed over seeds)\n", r.Wall.Round(time.Microsecond), r.CPU.Round(time.Microsecond))
	fmt.Fprintf(tw, "speed-up\t%sx real time (per core: %sx)\n", times(r.Speedup()), times(r.SpeedupPerCore()))
	r.writeFaults(tw)
	r.writeCryptoRand(tw)
	r.writeAsserts(tw)
	r.writeFailures(tw, h)
	r.writeUnknowns(tw)
	r.writeMissing(tw)
	return tw.Flush()
}

// times prints a speed-up: whole above 10, one decimal below.
func times(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
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

// writeCryptoRand says how much the seeds' tasks read from crypto/rand,
// if anything, and where it came from: code that draws keys or timeouts
// from it replays only while it comes from the seed.
func (r *Report) writeCryptoRand(w io.Writer) {
	c := r.CryptoRand
	if c.Reads == 0 {
		return
	}
	from := "from the seed"
	if c.FromOS {
		from = "from the operating system: these seeds do not replay"
	}
	fmt.Fprintf(w, "randomness\t%d crypto/rand reads, %d bytes, %s\n", c.Reads, c.Bytes, from)
}

func (r *Report) writeAsserts(w io.Writer) {
	missing := r.Missing()
	for i, a := range r.Asserts {
		label := ""
		if i == 0 {
			label = "assertions"
		}
		status := "ok"
		switch {
		case a.Failed:
			status = "FAILED"
		case slices.ContainsFunc(missing, func(m assert.Result) bool { return m.Message == a.Message && m.Bucket == a.Bucket }):
			status = "NEVER"
		case r.Replayed && len(assert.Missing([]assert.Result{a})) > 0:
			status = "not hit" // a replay does not judge coverage, nor says ok
		}
		fmt.Fprintf(w, "%s\t%s %s\t%d/%d\n", label, status, assertName(a), a.Passed, a.Evaluated)
	}
}

func assertName(a assert.Result) string {
	name := cell(a.Message)
	if a.Bucket != "" {
		name += " [" + cell(a.Bucket) + "]"
	}
	return name
}

// writeMissing explains the assertions that fail the run for never
// holding: a numeric one that was evaluated with how near it came, and
// the seed that came nearest, to replay.
func (r *Report) writeMissing(w io.Writer) {
	for _, m := range r.Missing() {
		at := ""
		if m.Location != "" {
			at = " at " + m.Location
		}
		why := "the run did not reach that path"
		switch {
		case m.Closest != "":
			why = fmt.Sprintf("%d evaluations, the nearest %s (seed %#x)", m.Evaluated, cell(m.Closest), m.ClosestSeed)
		case m.Evaluated > 0:
			why = fmt.Sprintf("%d evaluations, its condition false in each", m.Evaluated)
		}
		fmt.Fprintf(w, "FAIL\t%s %q%s never held in %d seeds: %s\n", m.Kind, cell(m.Message), at, r.Seeds, why)
	}
}

// maxListed is how many failing seeds the table lists; the JSON report has
// them all.
const maxListed = 10

func (r *Report) writeFailures(w io.Writer, h TableHints) {
	for i, f := range r.Failures {
		if i == maxListed {
			fmt.Fprintf(w, "FAIL\t... and %d more failing seeds (%s)\n", len(r.Failures)-i, h.ListAll)
			break
		}
		if i == 0 {
			writeDetail(w, f, h)
			continue
		}
		fmt.Fprintf(w, "FAIL\tseed %#x: %s\n", f.Seed, f.oneLine())
		fmt.Fprintf(w, "\treplay: %s\n", f.Replay)
		writeArtifacts(w, f.Artifacts)
	}
	if len(r.Failures) > 1 {
		fmt.Fprintf(w, "\t(the lowest seed is shown in full: replay another to see all of it)\n")
	}
}

// headline is the failure's kind and message, the kind left out when the
// message starts with it ("panic: ...").
func (f SeedFailure) headline(msg string) string {
	if strings.HasPrefix(msg, f.Kind+":") || strings.HasPrefix(msg, f.Kind+" ") {
		return cell(msg)
	}
	return f.Kind + ": " + cell(msg)
}

// oneLine is a failure in one line: kind, first line of the message, and
// where.
func (f SeedFailure) oneLine() string {
	msg, rest, multi := strings.Cut(f.Message, "\n")
	s := f.headline(msg)
	if multi {
		s += fmt.Sprintf(" (%d more lines)", strings.Count(rest, "\n")+1)
	}
	if f.Where != "" && !strings.Contains(msg, " at "+f.Where) { // an assertion's says where
		s += " at " + f.Where
	}
	return s
}

// maxLines bounds the stack and parked-task lines of the detailed failure.
const maxLines = 30

// writeDetail writes all the table shows of a failing seed.
func writeDetail(w io.Writer, f SeedFailure, h TableHints) {
	msg, rest, _ := strings.Cut(f.Message, "\n")
	fmt.Fprintf(w, "FAIL\tseed %#x: %s\n", f.Seed, f.headline(msg))
	writeLines(w, "  ", rest, 0)
	switch f.Kind {
	case "nondeterminism":
	case "check":
		fmt.Fprintf(w, "\tafter the simulation, which ended at t=%.6fs\n", f.At.Seconds())
	default:
		fmt.Fprintf(w, "\t%s\n", f.position())
	}
	if f.Where != "" {
		fmt.Fprintf(w, "\twhere: %s\n", f.Where)
	}
	if f.Stack != "" {
		fmt.Fprintf(w, "\tstack:\n")
		writeLines(w, "  ", f.Stack, maxLines)
	}
	writeParked(w, f.Parked)
	if f.Chaos != "" {
		fmt.Fprintf(w, "\tchaos: %s\n", cell(f.Chaos))
	}
	defer writeArtifacts(w, f.Artifacts)
	if f.Kind == "check" && len(f.Artifacts) == 0 && h.KeepArtifacts != "" {
		fmt.Fprintf(w, "\tartifacts: none kept: %s keeps the seed's trace and its checks' files (porcupine's page)\n", h.KeepArtifacts)
	}
	if f.Kind == "nondeterminism" || f.Seq == 0 {
		fmt.Fprintf(w, "\treplay: %s\n", f.Replay)
		return
	}
	if kept := f.keptTrace(); kept != "" && h.WhyKept != nil {
		fmt.Fprintf(w, "\treplay: %s\n", f.Replay)
		fmt.Fprintf(w, "\twhy: %s\n", h.WhyKept(f.Replay, kept, f.Seq))
		return
	}
	replay, why := h.Why(f.Replay, fmt.Sprintf("%#x.jsonl", f.Seed), f.Seq)
	fmt.Fprintf(w, "\treplay: %s\n", replay)
	fmt.Fprintf(w, "\twhy: %s\n", why)
}

// keptTrace returns the path of the trace among the seed's artifacts, or
// "" when the run kept none.
func (f SeedFailure) keptTrace() string {
	if len(f.Artifacts) > 1 && slices.Contains(f.Artifacts[1:], traceArtifact) {
		return filepath.Join(f.Artifacts[0], traceArtifact)
	}
	return ""
}

// position says when the seed failed, and in which task; for an invariant,
// which event broke it.
func (f SeedFailure) position() string {
	s := fmt.Sprintf("at t=%.6fs seq=%d rng=%d", f.At.Seconds(), f.Seq, f.RNGCalls)
	if f.Kind == "invariant" {
		s = fmt.Sprintf("broken by event seq=%d at t=%.6fs rng=%d", f.Seq, f.At.Seconds(), f.RNGCalls)
	}
	if f.Task != "" {
		s += fmt.Sprintf(" in task %d %q", f.TaskID, f.Task)
	}
	return s
}

func writeParked(w io.Writer, parked []ParkedTask) {
	if len(parked) == 0 {
		return
	}
	fmt.Fprintf(w, "\tparked tasks (%d):\n", len(parked))
	for i, p := range parked {
		if i == maxLines {
			fmt.Fprintf(w, "\t  ... and %d more (the JSON report lists them all)\n", len(parked)-i)
			return
		}
		fmt.Fprintf(w, "\t  %s\n", cell(p.String()))
	}
}

// writeLines writes text as indented continuation lines of the table, at
// most max of them (0: all).
func writeLines(w io.Writer, indent, text string, max int) {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if max > 0 && i == max {
			fmt.Fprintf(w, "\t%s... %d more lines (in the JSON report)\n", indent, len(lines)-i)
			return
		}
		fmt.Fprintf(w, "\t%s%s\n", indent, cell(strings.Replace(l, "\t", "    ", 1)))
	}
}

// cell keeps text inside one cell of the table: no tab or newline of its
// own.
func cell(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

// unknownCount is the summary's count of unknown seeds, "" when none.
func (r *Report) unknownCount() string {
	if r.Unknown == 0 {
		return ""
	}
	return fmt.Sprintf(", %d unknown", r.Unknown)
}

// writeUnknowns lists the seeds a seed check could not decide, which are
// not passes.
func (r *Report) writeUnknowns(w io.Writer) {
	for i, f := range r.Unknowns {
		if i == maxListed {
			fmt.Fprintf(w, "UNKNOWN\t... and %d more unknown seeds (the JSON report lists them all)\n", len(r.Unknowns)-i)
			return
		}
		fmt.Fprintf(w, "UNKNOWN\tseed %#x: %s\n", f.Seed, cell(f.Message))
		fmt.Fprintf(w, "\treplay: %s\n", f.Replay)
	}
	if len(r.Unknowns) > 0 {
		fmt.Fprintf(w, "\t(an unknown seed is no pass: give its checks more time, --check-timeout)\n")
	}
}

// writeArtifacts lists a seed's artifact directory and its files.
func writeArtifacts(w io.Writer, as []string) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintf(w, "\tartifacts: %s: %s\n", cell(as[0]), cell(strings.Join(as[1:], ", ")))
}
