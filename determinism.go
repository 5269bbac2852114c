package orrery

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// runOne runs a seed, twice when checking determinism: two runs that
// differ in trace hash or in how they fail make a nondeterminism finding.
// Both runs of a pair build every log record, so that a debug line that
// differs between them differs in their verbose hashes.
func (r *runner) runOne(seed uint64) outcome {
	o := r.seedOptions()
	o.verbose = r.opts.CheckDeterminism
	if len(r.opts.Replay) == 1 {
		o.trace, o.log, o.logFilter = r.trace, r.opts.Log, r.opts.LogFilter
	}
	res := runSeed(r.sim, seed, o)
	if !r.opts.CheckDeterminism {
		return outcome{res: res}
	}
	// The second run skips the seed checks: they read the history the
	// trace hash already covers, and running them twice would double their
	// cost and turn a check that times out once into a false finding.
	o2 := r.seedOptions()
	o2.noChecks, o2.verbose = true, true
	again := runSeed(r.sim, seed, o2)
	res.Wall += again.Wall
	first := ending{failure: simFailure(res)}
	second := ending{failure: again.Failure}
	same := res.TraceHash == again.TraceHash && res.VerboseHash == again.VerboseHash
	switch {
	case same && sameFailure(first.failure, second.failure):
		return outcome{res: res}
	case same:
		return outcome{res: res, nondet: endedDifferently(seed, res.TraceHash, res.Chaos, [2]string{"run 1", "run 2"}, first, second)}
	}
	head := "two runs of the seed " + hashesDiffer(res, again)
	if !sameFailure(first.failure, second.failure) {
		head += fmt.Sprintf("; the first %s, the second %s", ranAs(first.failure), ranAs(second.failure))
	}
	return outcome{res: res, nondet: r.nondeterminism(seed, head, res.Chaos)}
}

// hashesDiffer says how the hashes of two runs of a seed differ: their
// trace hashes, their verbose hashes or both.
func hashesDiffer(a, b seedResult) string {
	verbose := fmt.Sprintf("logged different records below Info (verbose hashes %#x and %#x)", a.VerboseHash, b.VerboseHash)
	switch {
	case a.TraceHash == b.TraceHash:
		return fmt.Sprintf("gave the same trace hash %#x but %s", a.TraceHash, verbose)
	case a.VerboseHash == b.VerboseHash:
		return fmt.Sprintf("gave trace hashes %#x and %#x", a.TraceHash, b.TraceHash)
	}
	return fmt.Sprintf("gave trace hashes %#x and %#x and %s", a.TraceHash, b.TraceHash, verbose)
}

// endedDifferently is the finding of a seed whose two runs made the same
// trace, by its hash, yet ended differently: the difference is in the
// failure itself (its message, most often), so the finding shows both
// ends and names what failed, and traced runs would show nothing more.
// names are what the finding calls the two runs.
func endedDifferently(seed, hash uint64, chaos string, names [2]string, a, b ending) *SeedFailure {
	f := &SeedFailure{Seed: seed, Kind: "nondeterminism", Chaos: chaos}
	kind, where := false, true
	if a.failure != nil && b.failure != nil {
		kind = a.kind() != b.kind()
		where = a.point() != b.point()
	}
	f.Message = fmt.Sprintf("two runs of the seed ended differently: %s %s; %s %s (same trace hash %#x: the difference is in the failure itself)\n%s",
		names[0], a.describe(kind, where), names[1], b.describe(kind, where), hash, strings.TrimRight(endingCulprit(a, b), "\n"))
	if ended := cmp.Or(a.failure, b.failure); ended != nil {
		f.At, f.Seq = ended.At, ended.Seq
	}
	return f
}

// simFailure is how the simulation itself ended a seed: a failure of its
// seed checks, which run after the simulation, is not part of it.
func simFailure(res seedResult) *sim.Failure {
	if res.Kind == "check" {
		return nil
	}
	return res.Failure
}

// sameFailure reports whether two runs of a seed ended the same way.
func sameFailure(a, b *sim.Failure) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.Message == b.Message && a.Seq == b.Seq && a.At == b.At
}

// ranAs says how a run ended, for a nondeterminism finding.
func ranAs(f *sim.Failure) string {
	if f == nil {
		return "passed"
	}
	return fmt.Sprintf("failed at seq %d (%s: %s)", f.Seq, f.Kind, f.Message)
}

// nondeterminism is the finding of a seed whose runs differed: head says
// how, and traced runs of the seed say where the traces part, when they
// can be made to.
func (r *runner) nondeterminism(seed uint64, head, chaos string) *SeedFailure {
	f := &SeedFailure{Seed: seed, Kind: "nondeterminism", Chaos: chaos}
	res, idx, ok := r.tracedDivergence(seed)
	if !ok {
		f.Message = head + fmt.Sprintf(" (%d further pairs of traced runs did not differ: the nondeterminism is intermittent)", tracedPairs)
		return f
	}
	var out strings.Builder
	out.WriteString(head + "\n")
	if err := res.Format(&out); err != nil {
		f.Message = head
		return f
	}
	out.WriteString(culprit(res, idx[0], idx[1]))
	f.Message = strings.TrimRight(out.String(), "\n")
	f.At, f.Seq = res.A.At, res.A.Seq
	if res.A.Ended() {
		f.At, f.Seq = res.B.At, res.B.Seq
	}
	return f
}

// tracedPairs is how many pairs of traced runs tracedDivergence tries: a
// source of nondeterminism such as map order can agree by chance.
const tracedPairs = 5

// tracedDivergence runs a seed in traced pairs until two runs differ, and
// returns where, with the index of each trace up to there.
func (r *runner) tracedDivergence(seed uint64) (trace.DiffResult, [2]*taskIndex, bool) {
	for range tracedPairs {
		res, idx, err := r.tracedPair(seed)
		if err == nil && !res.Identical {
			return res, idx, true
		}
	}
	return trace.DiffResult{}, [2]*taskIndex{}, false
}

// errDiffed ends the traces of a pair once Diff has found where they part.
var errDiffed = errors.New("the traces were compared")

// tracedPair runs a seed twice at once, each run streaming its trace into
// the comparison through a pipe, and into an index of its tasks: neither
// trace is held in memory, however long the seed runs.
func (r *runner) tracedPair(seed uint64) (trace.DiffResult, [2]*taskIndex, error) {
	var wg sync.WaitGroup
	readers := make([]*io.PipeReader, 2)
	panics := make([]*runnerPanic, 2)
	var idx [2]*taskIndex
	var sides [2]io.Reader
	for i := range readers {
		pr, pw := io.Pipe()
		readers[i] = pr
		idx[i] = newTaskIndex()
		sides[i] = io.TeeReader(pr, idx[i].pw)
		wg.Go(func() {
			defer func() { // raised again below, in the caller's goroutine
				if v := recover(); v != nil {
					panics[i] = &runnerPanic{value: v, stack: debug.Stack()}
					pw.CloseWithError(errDiffed)
				}
			}()
			aw := newQueuedWriter(pw)
			bw := bufio.NewWriterSize(aw, 64<<10)
			o := r.seedOptions()
			o.trace = bw
			runSeed(r.sim, seed, o)
			pw.CloseWithError(errors.Join(bw.Flush(), aw.close())) // nil: io.EOF for the reader
		})
	}
	res, err := trace.Diff(sides[0], sides[1], trace.DiffOptions{})
	for i, pr := range readers {
		pr.CloseWithError(errDiffed) // the runs finish without writing
		idx[i].close()
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(*p)
		}
	}
	return res, idx, err
}

// queuedWriter hands what a traced run writes to a goroutine that writes
// it to the pipe, so that the run does not wait for the comparison to read
// it: a run that waits there while one of its tasks holds a lock of the
// process (etcd raft draws its election timeouts from crypto/rand under a
// global mutex) would stall the other run of the pair, which the
// comparison waits for, until the watchdog fails the seed. The queue holds
// up to queuedChunks writes (the tracer writes up to 256 KiB at a time:
// 64 MiB at most, held only while the comparison lags behind the run).
type queuedWriter struct {
	chunks chan []byte
	done   chan error
}

const queuedChunks = 256

func newQueuedWriter(w io.Writer) *queuedWriter {
	q := &queuedWriter{chunks: make(chan []byte, queuedChunks), done: make(chan error, 1)}
	go func() {
		var err error
		for c := range q.chunks {
			if err == nil {
				_, err = w.Write(c)
			}
		}
		q.done <- err
	}()
	return q
}

func (q *queuedWriter) Write(p []byte) (int, error) {
	q.chunks <- bytes.Clone(p)
	return len(p), nil
}

// close waits until every write has reached the pipe, and returns the
// first error writing it.
func (q *queuedWriter) close() error {
	close(q.chunks)
	return <-q.done
}

// traceFirstFailure writes the trace of the first failing seed when a run
// of many seeds was asked for one. A seed that does not fail the same way
// when run again is not deterministic: its failure becomes a
// nondeterminism finding, and the trace is that of the second run.
func (r *runner) traceFirstFailure() {
	if r.opts.Trace == nil || len(r.opts.Replay) == 1 || len(r.report.Failures) == 0 {
		return
	}
	first := &r.report.Failures[0]
	o := r.seedOptions()
	o.trace = r.trace
	again := runSeed(r.sim, first.Seed, o)
	was, ok := r.firsts[first.Seed]
	then := ending{failure: again.Failure, check: again.Kind == "check"}
	if !ok || (was.hash == again.TraceHash && sameFailure(was.failure, then.failure)) {
		return // a nondeterminism finding already, or the same failure
	}
	names := [2]string{"the first run", "the run again to trace it"}
	var f *SeedFailure
	if was.hash == again.TraceHash {
		f = endedDifferently(first.Seed, was.hash, first.Chaos, names, ending{failure: was.failure, check: was.check}, then)
	} else {
		head := fmt.Sprintf("the first run %s, the run again to trace it %s; trace hashes %#x and %#x",
			ranAs(was.failure), ranAs(again.Failure), was.hash, again.TraceHash)
		f = r.nondeterminism(first.Seed, head, first.Chaos)
	}
	f.Replay = first.Replay
	*first = *f
}
