package orrery

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// taskIndex learns, from the records of a trace as they stream by, what
// the culprit of a divergence needs to name a task: the names of tasks by
// id, and for every event the task that scheduled it or, when an event
// handler did, the event that was being processed then (its cause).
// It holds one entry per event (some 40 bytes each).
type taskIndex struct {
	names  map[uint64]string
	events map[uint64]eventLink // by seq
	pw     *io.PipeWriter
	done   chan struct{}
}

// eventLink is who scheduled an event: a task, or (task 0) the handler of
// the event cause.
type eventLink struct{ task, cause uint64 }

// newTaskIndex returns an index fed by what is written to its writer,
// which must be closed (close) before the index is read.
func newTaskIndex() *taskIndex {
	x := &taskIndex{names: map[uint64]string{}, events: map[uint64]eventLink{}, done: make(chan struct{})}
	pr, pw := io.Pipe()
	x.pw = pw
	go func() {
		defer close(x.done)
		rd := trace.NewReader(pr)
		for {
			r, err := rd.Next()
			if err != nil {
				break
			}
			x.add(&r)
		}
		io.Copy(io.Discard, pr) // a malformed line stops the index, not the writer
	}()
	return x
}

// close ends the feeding and waits until every record written is indexed.
func (x *taskIndex) close() {
	x.pw.Close()
	<-x.done
}

func (x *taskIndex) add(r *trace.Record) {
	if r.Task != 0 && r.TaskName != "" {
		x.names[r.Task] = r.TaskName
	}
	if r.Obj == "task" && r.Name != "" {
		x.names[r.ID] = r.Name
	}
	if r.IsEvent() && r.Seq != 0 {
		x.events[r.Seq] = eventLink{task: r.Task, cause: r.Cause}
	}
}

// maxCauseHops bounds the walk up a cause chain in search of a task.
const maxCauseHops = 1000

// who returns the task a record is about: the task that wrote a log, whose
// timer fired, or that scheduled the event, itself or through the chain of
// events whose handlers scheduled it. It returns 0 and "" for the engine's
// own work (setup, a chain that starts there).
func (x *taskIndex) who(r *trace.Record) (uint64, string) {
	switch {
	case r.TaskName != "":
		return r.Task, r.TaskName
	case r.Obj == "task" && r.ID != 0:
		return r.ID, x.name(r.ID, r.Name)
	case r.Task != 0:
		return r.Task, x.name(r.Task, "")
	}
	seq := r.Cause
	for range maxCauseHops {
		l, ok := x.events[seq]
		if !ok || seq == 0 {
			break
		}
		if l.task != 0 {
			return l.task, x.name(l.task, "")
		}
		seq = l.cause
	}
	return 0, ""
}

func (x *taskIndex) name(id uint64, known string) string {
	if known != "" || x == nil {
		return known
	}
	return x.names[id]
}

// suspect is the task a diverging record is about, as the culprit names it.
type suspect struct {
	id   uint64
	name string
	host string
	what string // the kind of record: "Timer event", "log"
}

func suspectOf(r *trace.Record, x *taskIndex) suspect {
	s := suspect{what: recordKind(r)}
	s.id, s.name = x.who(r)
	host, _, ok := strings.Cut(s.name, "/")
	if ok && host != "orrery" {
		s.host = host
	} else if r.Kind == "Storage" { // "db:wal.log": the disk's host
		s.host, _, _ = strings.Cut(r.Name, ":")
	}
	return s
}

// recordKind names the kind of a record for a reader.
func recordKind(r *trace.Record) string {
	switch {
	case r.Kind == trace.KindLog && r.Msg == sim.CryptoRandMsg:
		return "crypto/rand read"
	case r.Kind == trace.KindLog:
		return "log"
	case r.IsEvent() && (r.Op == "" || r.Op == r.Kind):
		return r.Kind + " event"
	case r.IsEvent():
		return fmt.Sprintf("%s event %s", r.Kind, r.Op)
	}
	return r.Kind + " record"
}

// String names the task: `task "db/main" on host db`.
func (s suspect) String() string {
	var b strings.Builder
	switch {
	case s.name != "":
		fmt.Fprintf(&b, "task %q", s.name)
	case s.id != 0:
		fmt.Fprintf(&b, "task #%d", s.id)
	default:
		b.WriteString("the engine's setup")
	}
	if s.host != "" {
		b.WriteString(" on host " + s.host)
	}
	return b.String()
}

// outsideSeed lists what, in a task, makes a run depend on more than its
// seed.
const outsideSeed = "a global random source, the wall clock, map order, a goroutine or lock outside the simulation"

// culprit names the likely source of a divergence from the first records
// that differ: the task they are about (by name, from the record or its
// cause chain in the index of its trace), its host and the kind of record.
func culprit(res trace.DiffResult, xa, xb *taskIndex) string {
	if res.A.Ended() || res.B.Ended() {
		return endedEarly(res, xa, xb)
	}
	ra, rb := &res.A.Records[0], &res.B.Records[0]
	if s, ok := failedDifferently(ra, rb); ok {
		return s
	}
	a, b := suspectOf(ra, xa), suspectOf(rb, xb)
	switch {
	case a.what == "crypto/rand read" && b.what == a.what && a.id == b.id:
		return fmt.Sprintf("likely culprit: %s read crypto/rand, and the runs drew different bytes "+
			"(from=os: the capture of crypto/rand is off)\n", a)
	case ra.Kind == trace.KindAssert && rb.Kind == ra.Kind && ra.Op == rb.Op && ra.Name == rb.Name && a.id == b.id:
		return fmt.Sprintf("likely culprit: the assertion %s %q of %s recorded different details in each run: %s\n",
			ra.Op, ra.Name, a, builtOutside("a detail"))
	case a.what == "log" && b.what == "log" && a.id == b.id:
		return fmt.Sprintf("likely culprit: the application log of %s differs: "+
			"its output depends on something outside the seed (%s)\n", a, outsideSeed)
	case a.id != b.id:
		return fmt.Sprintf("likely culprit: a task switch: %s ran (its %s) in one run where %s ran (its %s) in the other; "+
			"what made them run depends on something outside the seed (%s)\n", a, a.what, b, b.what, outsideSeed)
	case a.what != b.what:
		return fmt.Sprintf("likely culprit: %s: its %s in one run where its %s in the other; "+
			"check what the task did before (%s)\n", a, a.what, b.what, outsideSeed)
	}
	return fmt.Sprintf("likely culprit: %s: its %s differs; check what the task did before it (%s)\n",
		a, a.what, outsideSeed)
}

// endedEarly is the culprit when one trace is a prefix of the other.
func endedEarly(res trace.DiffResult, xa, xb *taskIndex) string {
	on := res.B
	x := xb
	if on.Ended() {
		on, x = res.A, xa
	}
	if on.Ended() {
		return "likely culprit: one run ended early (a task or timer exists in one run only)\n"
	}
	s := suspectOf(&on.Records[0], x)
	return fmt.Sprintf("likely culprit: one run ended where the other goes on with the %s of %s "+
		"(a task or timer exists in one run only)\n", s.what, s)
}

// ending is how one run of a seed ended, for a finding that compares two:
// passed (failure nil) or failed, in the simulation or by a seed check.
type ending struct {
	failure *sim.Failure
	check   bool // failure is a SeedCheck's
}

// String says how the run ended: "passed", or "failed with: <message>".
func (e ending) String() string { return e.describe(false, false) }

// describe says how the run ended, with the kind of its failure and
// where it happened when asked: what tells it from the other run's.
func (e ending) describe(kind, where bool) string {
	if e.failure == nil {
		return "passed"
	}
	s := "failed"
	if where {
		s += " " + e.point()
	}
	s += " with: "
	if kind {
		s += e.kind() + ": "
	}
	return s + e.failure.Message
}

// source names what failed a run, from its failure: the seed check, the
// invariant, the assertion, the workload or the task that panicked.
func (e ending) source() string {
	if e.failure == nil {
		return ""
	}
	return failureSource(e.kind(), e.failure.TaskName, e.failure.Message)
}

// kind is the failure's kind as a report names it: "check" for a seed
// check.
func (e ending) kind() string {
	if e.check {
		return "check"
	}
	return e.failure.Kind.String()
}

// failureSource names what made a failure of kind, with message msg, of
// the task taskName (if any): the formats of the messages are those of
// sim (invariants), assert, phases.go (workloads) and seedcheck.go.
func failureSource(kind, taskName, msg string) string {
	switch kind {
	case "check":
		if name, _, ok := strings.Cut(strings.TrimPrefix(msg, "check "), ": "); ok {
			return fmt.Sprintf("the seed check %q", name)
		}
	case "invariant": // invariant "name": error
		if name, err := strconv.QuotedPrefix(strings.TrimPrefix(msg, "invariant ")); err == nil {
			return "the invariant " + name
		}
	case "assertion": // Always "message" failed at file:line: details
		op, rest, _ := strings.Cut(msg, " ")
		if text, err := strconv.QuotedPrefix(rest); err == nil {
			return fmt.Sprintf("the assertion %s %s", op, text)
		}
	case "workload": // host: phase: error
		if host, rest, ok := strings.Cut(msg, ": "); ok {
			phase, _, _ := strings.Cut(rest, ": ")
			return fmt.Sprintf("the %s phase of the workload on host %s", phase, host)
		}
	case "panic":
		if taskName != "" {
			return fmt.Sprintf("the panic of task %q", taskName)
		}
	}
	return "the " + kind + " failure"
}

// builtOutside says what makes what (a failure's message, an assertion's
// details) differ between two runs of one execution.
func builtOutside(what string) string {
	return what + " built from map iteration order, pointer values, the wall clock or state kept between runs " +
		"differs from run to run (iterating over a map and reporting the first bad entry is the classic case: " +
		"range over the sorted keys; orrery vet flags such a loop)"
}

// endingCulprit names the likely source of a difference between two runs
// that made the same trace and ended differently: what failed, from the
// failures themselves.
func endingCulprit(a, b ending) string {
	sa, sb := a.source(), b.source()
	switch {
	case a.failure == nil || b.failure == nil:
		return fmt.Sprintf("likely culprit: %s failed in one run only: what it reads depends on something outside the seed (%s)\n",
			sa+sb, outsideSeed)
	case sa != sb:
		return fmt.Sprintf("likely culprit: %s failed in one run where %s failed in the other: "+
			"what they read depends on something outside the seed (%s)\n", sa, sb, outsideSeed)
	case a.failure.Message != b.failure.Message:
		return fmt.Sprintf("likely culprit: %s failed with a different message in each run: %s\n", sa, builtOutside("a message"))
	}
	return fmt.Sprintf("likely culprit: %s failed at a different point in each run (%s and %s): "+
		"when it fails depends on something outside the seed (%s)\n", sa, a.point(), b.point(), outsideSeed)
}

// point is where in the run it failed: at a seq and time, or after
// the run for a seed check.
func (e ending) point() string {
	if e.check {
		return "after the run"
	}
	return fmt.Sprintf("at seq %d, t=%.6fs", e.failure.Seq, e.failure.At.Seconds())
}

// failureLine is the record of a failure in a trace (sim's tracer writes
// "failure: " and Failure.Error): its kind, task and message.
var failureLine = regexp.MustCompile(`(?s)^failure: (\w+) at t=\S+ seq=\d+ rng=\d+(?: in task \d+ ("(?:[^"\\]|\\.)*"))?: (.*) \(seed 0x[0-9a-f]+\)$`)

// failureOf reads the failure a trace record reports, if it is one.
func failureOf(r *trace.Record) (*sim.Failure, bool) {
	if r.Kind != trace.KindLog || r.Level != slog.LevelError {
		return nil, false
	}
	m := failureLine.FindStringSubmatch(r.Msg)
	if m == nil {
		return nil, false
	}
	f := &sim.Failure{At: r.At, Seq: r.Seq, Message: m[3]}
	f.TaskName, _ = strconv.Unquote(m[2])
	for k := sim.FailureKind(1); !strings.HasPrefix(k.String(), "FailureKind("); k++ {
		if k.String() == m[1] {
			f.Kind = k
		}
	}
	return f, true
}

// failedDifferently is the culprit when the first records that differ
// are the failures of both runs: the traces are the same up to them.
func failedDifferently(a, b *trace.Record) (string, bool) {
	fa, okA := failureOf(a)
	fb, okB := failureOf(b)
	if !okA || !okB {
		return "", false
	}
	return endingCulprit(ending{failure: fa}, ending{failure: fb}), true
}
